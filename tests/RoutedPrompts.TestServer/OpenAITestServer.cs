using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using RoutedPrompts.Replay;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedPrompts.Testing;

/// <summary>What the server does with one request.</summary>
public enum FaultKind
{
    /// <summary>Answer normally.</summary>
    None = 0,

    /// <summary>429 with <c>Retry-After</c>.</summary>
    RateLimited,

    /// <summary>500.</summary>
    InternalServerError,

    /// <summary>502.</summary>
    BadGateway,

    /// <summary>503.</summary>
    ServiceUnavailable,

    /// <summary>Never answer (until the client gives up, or <see cref="OpenAITestServer.HangLimit"/>).</summary>
    Hang,

    /// <summary>Abort the connection without a response.</summary>
    DropConnection,

    /// <summary>Announce the full body's length, send half of it, then abort.</summary>
    TruncatedBody,

    /// <summary>200 with a body that is not a chat completion (HTML).</summary>
    MalformedBody,

    /// <summary>Answer normally after <see cref="Fault.Delay"/>.</summary>
    Slow,
}

/// <summary>One scheduled fault.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="RetryAfter">The <c>Retry-After</c> header of a 429, in whole seconds (<see langword="null"/>: no header).</param>
/// <param name="Delay">How long a <see cref="FaultKind.Slow"/> answer waits.</param>
public sealed record Fault(FaultKind Kind, int? RetryAfter = null, TimeSpan? Delay = null)
{
    public static Fault None { get; } = new(FaultKind.None);

    /// <summary>The <c>Retry-After</c> header of a 429 sent verbatim (for example <c>1e300</c> or <c>Infinity</c>); overrides <see cref="RetryAfter"/>.</summary>
    public string? RetryAfterText { get; init; }

    public static implicit operator Fault(FaultKind kind) => new(kind);
}

/// <summary>Fault rates (0..1 each, summing to at most 1) applied to requests with no scheduled fault.</summary>
public sealed record FaultRates(double RateLimited = 0, double ServerError = 0, double Hang = 0, double Malformed = 0, double Drop = 0, double Truncated = 0, int RetryAfterSeconds = 0);

/// <summary>A request the server received.</summary>
public sealed record ServerRequest(string Model, string UserText, bool LogProbsRequested, bool Authorized, FaultKind Fault, DateTimeOffset At)
{
    /// <summary>The request's messages (role and text).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
}

/// <summary>What the server answers with when it does answer.</summary>
/// <param name="Content">The assistant message.</param>
/// <param name="TokenLogProb">The log-probability of each token of the answer (tokens are 4-character chunks).</param>
public sealed record ServerAnswer(string Content, double TokenLogProb = -0.001)
{
    /// <summary>The reported prompt tokens (20 when unset).</summary>
    public long? InputTokens { get; init; }

    /// <summary>The reported completion tokens (the number of chunks when unset).</summary>
    public long? OutputTokens { get; init; }

    /// <summary>
    /// A response body sent as it is (status 200, <c>application/json</c>) instead of a completion built from
    /// <see cref="Content"/>: for malformed or hostile completions (empty <c>choices</c>, invalid UTF-8, ...).
    /// </summary>
    public byte[]? Body { get; init; }

    /// <summary>An answer whose whole response body is <paramref name="body"/>, sent as it is.</summary>
    public static ServerAnswer Raw(byte[] body) => new(string.Empty) { Body = body };

    /// <summary>An answer whose whole response body is <paramref name="json"/> (UTF-8), sent as it is.</summary>
    public static ServerAnswer Raw(string json) => Raw(Encoding.UTF8.GetBytes(json));
}

/// <summary>
/// An OpenAI-compatible chat completions server (ASP.NET Core minimal API on Kestrel, bound to 127.0.0.1 on a random
/// port) that answers from a script and injects faults on a schedule (per model) or at rates, counting what it injected.
/// </summary>
public sealed class OpenAITestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _schedule = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FaultRates> _rates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FaultKind, int> _injected = new();
    private readonly ConcurrentDictionary<string, int> _perText = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ServerRequest> _requests = new();
    private readonly Random _random;
    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;

    private OpenAITestServer(WebApplication app, int seed)
    {
        _app = app;
        _random = new Random(seed);
    }

    /// <summary>The base address for the OpenAI SDK (<c>http://127.0.0.1:port/v1</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The API key the server expects as a bearer token; other requests get 401.</summary>
    public string ApiKey { get; init; } = "sk-test-server-key";

    /// <summary>
    /// Whether error bodies (401, 429, 5xx) echo the request's bearer key and user text, as careless proxies and some
    /// SDKs do: for tests that secrets never travel on from a provider's exception.
    /// </summary>
    public bool EchoRequestInErrors { get; set; }

    /// <summary>How long a hang lasts at most (the server answers 504 after it), so no request waits forever.</summary>
    public TimeSpan HangLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Answers a request that is not faulted (<see langword="null"/>: 404, nothing recorded). By default: <c>ok: </c>
    /// and the request's user text.
    /// </summary>
    public Func<ServerRequest, ServerAnswer?> Answer { get; set; } = static r => new ServerAnswer("ok: " + r.UserText);

    /// <summary>
    /// Answers from recorded runs (the replay format): the recorded text, usage and log-probability (spread evenly over
    /// the answer's tokens) of the request's model; a request that was not recorded gets 404.
    /// </summary>
    public static Func<ServerRequest, ServerAnswer?> Recorded(ReplayRecording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        return request =>
        {
            if (!recording.TryFind(request.Messages, out var query) || !query.Answers.TryGetValue(request.Model, out var answer))
            {
                return null;
            }

            var tokens = Math.Max(1, (answer.Text.Length + 3) / 4);
            return new ServerAnswer(answer.Text, (answer.LogProb ?? 0d) / tokens) { InputTokens = answer.InputTokens, OutputTokens = answer.OutputTokens };
        };
    }

    /// <summary>Requests being handled right now (a hung request the client abandoned is no longer in flight).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Waits (bounded) until no request is in flight; <see langword="false"/> if some still are after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (InFlight > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        return InFlight == 0;
    }

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyList<ServerRequest> Requests => _requests.ToArray();

    /// <summary>Starts a server on 127.0.0.1 and a random port.</summary>
    public static async Task<OpenAITestServer> StartAsync(int seed = 1, string? apiKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var server = new OpenAITestServer(app, seed) { ApiKey = apiKey ?? "sk-test-server-key" };
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(address).Port;
        server.Endpoint = new Uri($"http://127.0.0.1:{port}/v1");
        return server;
    }

    /// <summary>Schedules the next requests for <paramref name="model"/>: one fault per request, in order.</summary>
    public OpenAITestServer Schedule(string model, params Fault[] faults)
    {
        var queue = _schedule.GetOrAdd(model, _ => new ConcurrentQueue<Fault>());
        foreach (var fault in faults)
        {
            queue.Enqueue(fault);
        }

        return this;
    }

    /// <summary>Fault rates for <paramref name="model"/>, used once its schedule is empty.</summary>
    public OpenAITestServer Rates(string model, FaultRates rates)
    {
        _rates[model] = rates;
        return this;
    }

    /// <summary>Forgets every request and count (the schedule and rates stay).</summary>
    public void ResetCounts()
    {
        _injected.Clear();
        _perText.Clear();
        _requests.Clear();
    }

    /// <summary>Removes the fault rates of every model.</summary>
    public void ClearRates() => _rates.Clear();

    /// <summary>How many requests the server handled as <paramref name="kind"/> (<see cref="FaultKind.None"/>: answered normally).</summary>
    public int Injected(FaultKind kind) => _injected.TryGetValue(kind, out var n) ? n : 0;

    /// <summary>How many requests carried <paramref name="userText"/> as their last user message.</summary>
    public int RequestsWith(string userText) => _perText.TryGetValue(userText, out var n) ? n : 0;

    /// <summary>How many requests asked for <paramref name="model"/>.</summary>
    public int RequestsFor(string model) => _requests.Count(r => r.Model == model);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        var root = body.RootElement;
        var model = root.GetProperty("model").GetString() ?? string.Empty;
        var userText = string.Empty;
        var messages = new List<ChatMessage>();
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            var role = message.GetProperty("role").GetString() ?? "user";
            var text = ContentText(message.GetProperty("content"));
            messages.Add(new ChatMessage(new ChatRole(role), text));
            if (role == "user")
            {
                userText = text;
            }
        }

        var logProbs = root.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True;
        var authorized = context.Request.Headers.Authorization.ToString() == "Bearer " + ApiKey;
        var fault = authorized ? NextFault(model) : Fault.None;
        var request = new ServerRequest(model, userText, logProbs, authorized, fault.Kind, DateTimeOffset.UtcNow) { Messages = messages };
        _requests.Enqueue(request);
        _perText.AddOrUpdate(userText, 1, static (_, n) => n + 1);
        _injected.AddOrUpdate(fault.Kind, 1, static (_, n) => n + 1);

        if (!authorized)
        {
            // Like the real API: the message echoes a masked key (its first 6 and last 4 characters).
            var key = context.Request.Headers.Authorization.ToString().Replace("Bearer ", string.Empty, StringComparison.Ordinal);
            var masked = key.Length > 10 ? key[..6] + new string('*', key.Length - 10) + key[^4..] : "***";
            await ErrorAsync(context, 401, $"Incorrect API key provided: {masked}.{Echo(request, key)}").ConfigureAwait(false);
            return;
        }

        var echo = Echo(request, ApiKey);

        switch (fault.Kind)
        {
            case FaultKind.RateLimited:
                if (fault.RetryAfterText is { } text)
                {
                    context.Response.Headers.RetryAfter = text;
                }
                else if (fault.RetryAfter is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await ErrorAsync(context, 429, "Rate limit reached." + echo).ConfigureAwait(false);
                return;
            case FaultKind.InternalServerError or FaultKind.BadGateway or FaultKind.ServiceUnavailable:
                var status = fault.Kind switch { FaultKind.InternalServerError => 500, FaultKind.BadGateway => 502, _ => 503 };
                await ErrorAsync(context, status, "Injected server error." + echo).ConfigureAwait(false);
                return;
            case FaultKind.Hang:
                using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    try
                    {
                        await Task.Delay(HangLimit, hang.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // the client gave up (or the server stops)
                    }
                }

                await ErrorAsync(context, 504, "Hung past the server's limit.").ConfigureAwait(false);
                return;
            case FaultKind.DropConnection:
                context.Abort();
                return;
            case FaultKind.MalformedBody:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("<html><body>502 upstream sent garbage</body></html>").ConfigureAwait(false);
                return;
            case FaultKind.Slow:
                await Task.Delay(fault.Delay ?? TimeSpan.FromMilliseconds(200), context.RequestAborted).ConfigureAwait(false);
                break;
        }

        if (Answer(request) is not { } answer)
        {
            await ErrorAsync(context, 404, "No recorded answer for this request and model.").ConfigureAwait(false);
            return;
        }

        var payload = answer.Body ?? Completion(model, answer, logProbs);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = payload.Length;
        if (fault.Kind == FaultKind.TruncatedBody)
        {
            await context.Response.Body.WriteAsync(payload.AsMemory(0, payload.Length / 2), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
    }

    private Fault NextFault(string model)
    {
        if (_schedule.TryGetValue(model, out var queue) && queue.TryDequeue(out var scheduled))
        {
            return scheduled;
        }

        if (!_rates.TryGetValue(model, out var rates))
        {
            return Fault.None;
        }

        double roll;
        int pick;
        lock (_random)
        {
            roll = _random.NextDouble();
            pick = _random.Next(3);
        }

        if ((roll -= rates.RateLimited) < 0)
        {
            return new Fault(FaultKind.RateLimited, rates.RetryAfterSeconds);
        }

        if ((roll -= rates.ServerError) < 0)
        {
            return new Fault(pick switch { 0 => FaultKind.InternalServerError, 1 => FaultKind.BadGateway, _ => FaultKind.ServiceUnavailable });
        }

        if ((roll -= rates.Hang) < 0)
        {
            return FaultKind.Hang;
        }

        if ((roll -= rates.Malformed) < 0)
        {
            return FaultKind.MalformedBody;
        }

        if ((roll -= rates.Drop) < 0)
        {
            return FaultKind.DropConnection;
        }

        return (roll -= rates.Truncated) < 0 ? FaultKind.TruncatedBody : Fault.None;
    }

    private string Echo(ServerRequest request, string key) =>
        EchoRequestInErrors ? $" Request with key {key}: {request.UserText}" : string.Empty;

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object> { ["error"] = new Dictionary<string, string> { ["message"] = message, ["type"] = "server_error" } }, ServerJson.Default.DictionaryStringObject));
    }

    private static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? string.Empty;
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.TryGetProperty("text", out var t))
            {
                text.Append(t.GetString());
            }
        }

        return text.ToString();
    }

    /// <summary>A chat completion with usage and, when asked for, one log-probability per token (tokens of up to 4 characters).</summary>
    private static byte[] Completion(string model, ServerAnswer answer, bool logProbs)
    {
        var tokens = new List<string>();
        for (var i = 0; i < answer.Content.Length; i += 4)
        {
            tokens.Add(answer.Content.Substring(i, Math.Min(4, answer.Content.Length - i)));
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("id", "chatcmpl-" + Guid.NewGuid().ToString("N"));
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", 1_767_225_600);
            json.WriteString("model", model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", answer.Content);
            json.WriteNull("refusal");
            json.WriteEndObject();
            if (logProbs)
            {
                json.WriteStartObject("logprobs");
                json.WriteStartArray("content");
                foreach (var token in tokens)
                {
                    json.WriteStartObject();
                    json.WriteString("token", token);
                    json.WriteNumber("logprob", answer.TokenLogProb);
                    json.WriteStartArray("bytes");
                    foreach (var b in Encoding.UTF8.GetBytes(token))
                    {
                        json.WriteNumberValue(b);
                    }

                    json.WriteEndArray();
                    json.WriteStartArray("top_logprobs");
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNull("refusal");
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("logprobs");
            }

            json.WriteString("finish_reason", "stop");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("usage");
            var input = answer.InputTokens ?? 20;
            var output = answer.OutputTokens ?? tokens.Count;
            json.WriteNumber("prompt_tokens", input);
            json.WriteNumber("completion_tokens", output);
            json.WriteNumber("total_tokens", input + output);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ServerJson : System.Text.Json.Serialization.JsonSerializerContext;
