using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// Caches responses on disk, keyed by deployment (provider and model) and request (messages, response format, sampling
/// options, and whether log-probabilities are asked for: the raw request is customised, or the client it wraps reports
/// confidence, <see cref="IConfidenceReportingChatClient"/>), so a re-run of <c>eval</c> costs nothing and gives the same
/// numbers: the answer, its usage, its numeric properties and the confidence the router reads. Failures are not cached. An entry is
/// written to a temporary file and renamed into place, so a run stopped at any point leaves only complete entries.
/// </summary>
public sealed class DiskCacheChatClient : DelegatingChatClient
{
    private readonly string _directory;
    private readonly string _provider;
    private readonly Action<InvalidDataException>? _corrupt;

    /// <summary>Creates the cache.</summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="directory">The cache directory (created when needed).</param>
    /// <param name="provider">The provider key, and whatever else identifies who answers (part of the cache key).</param>
    /// <param name="corrupt">
    /// Told of a corrupt entry before the error is thrown. A <see cref="PromptRouter"/> takes any exception of its chat
    /// client for a provider failure (and retries it), so a caller routing through the cache stops its run here.
    /// </param>
    public DiskCacheChatClient(IChatClient inner, string directory, string provider, Action<InvalidDataException>? corrupt = null)
        : base(inner)
    {
        _directory = directory;
        _provider = provider;
        _corrupt = corrupt;
    }

    /// <summary>How many responses were served from the cache.</summary>
    public int Hits => _hits;

    private int _hits;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var path = Path.Combine(_directory, Key(list, options) + ".json");
        if (File.Exists(path))
        {
            Interlocked.Increment(ref _hits);
            var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            try
            {
                return Read(json, path);
            }
            catch (InvalidDataException ex)
            {
                _corrupt?.Invoke(ex);
                throw;
            }
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (RoutedPromptsResponseProperties.RecordedLatencyMs is var latencyKey && response.AdditionalProperties?.ContainsKey(latencyKey) != true)
        {
            // Kept with the answer, so a recording made from cached answers (eval --record) has the call's real latency.
            (response.AdditionalProperties ??= [])[latencyKey] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Directory.CreateDirectory(_directory);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            // Not cancelled: the answer is paid for, and keeping it is quick.
            await File.WriteAllTextAsync(temp, Write(response), CancellationToken.None).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // gone after the move; a failed write leaves no half entry
        }

        return response;
    }

    private string Key(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var text = new StringBuilder().Append(_provider).Append('\n').Append(options?.ModelId).Append('\n');
        text.Append(options?.ResponseFormat is ChatResponseFormatJson json ? json.Schema?.GetRawText() ?? "json" : "text").Append('\n');
        // "raw:True" as when the router asked for log-probabilities through the raw request itself: entries cached then
        // carry the signal and stay valid.
        var logProbabilities = options?.RawRepresentationFactory is not null || InnerClient.GetService<IConfidenceReportingChatClient>() is not null;
        text.Append(CultureInfo.InvariantCulture, $"{options?.Temperature}|{options?.TopP}|{options?.MaxOutputTokens}|{options?.Seed}|raw:{logProbabilities}\n");
        // The request itself is identified the way the replay client identifies it.
        text.Append(RoutedPrompts.Replay.ReplayRecording.Fingerprint(messages));

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// A cached response, as stored on disk: with the cached part of the input (priced apart) and whether the provider
    /// reported a refusal apart from the text, so a cached answer is priced and gated as the live one was.
    /// </summary>
    internal sealed record Entry(
        string Text, string? FinishReason, long? InputTokens, long? OutputTokens, Dictionary<string, double>? Properties,
        long? CachedInputTokens = null, bool? Refused = null);

    private static string Write(ChatResponse response)
    {
        var properties = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in response.AdditionalProperties ?? [])
        {
            if (value is double number)
            {
                properties[key] = number;
            }
        }

        // The router's confidence may come from a property of another number type (a JsonElement, a string): keep the
        // value the router reads, so the cached answer passes the same confidence gate.
        properties.Remove(RoutedPromptsResponseProperties.LogProb);
        properties.Remove(RoutedPromptsResponseProperties.Confidence);
        if (RoutedPromptsResponseProperties.ReadConfidence(response) is { } confidence)
        {
            properties[RoutedPromptsResponseProperties.Confidence] = confidence;
        }

        return JsonSerializer.Serialize(
            new Entry(
                response.Text, response.FinishReason?.Value, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, properties.Count == 0 ? null : properties,
                response.Usage?.CachedInputTokenCount, AnswerGates.ReportsRefusal(response) ? true : null),
            CacheJsonContext.Default.Entry);
    }

    /// <summary>A cached response from its file's text.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="path">The file, for the error.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidDataException">The entry is not a cached response: not an entry object, no text, or negative token counts.</exception>
    internal static ChatResponse Read(string json, string path)
    {
        Entry entry;
        try
        {
            entry = JsonSerializer.Deserialize(json, CacheJsonContext.Default.Entry) ?? throw new JsonException("the entry is null");
            if (entry.Text is null)
            {
                throw new JsonException("'Text' is missing or null");
            }

            if (entry.InputTokens is < 0 or > MalformedResponseException.MaxPlausibleTokens
                || entry.OutputTokens is < 0 or > MalformedResponseException.MaxPlausibleTokens
                || entry.CachedInputTokens is < 0 or > MalformedResponseException.MaxPlausibleTokens)
            {
                throw new JsonException(string.Create(CultureInfo.InvariantCulture,
                    $"token counts ({entry.InputTokens}, {entry.OutputTokens}, {entry.CachedInputTokens}) outside 0..{MalformedResponseException.MaxPlausibleTokens}"));
            }

            if (entry.FinishReason is { } finish && string.IsNullOrWhiteSpace(finish))
            {
                throw new JsonException("'FinishReason' is blank");
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Response cache entry {path} is not a cached response ({ex.Message}). Delete it to ask the provider again.", ex);
        }

        var message = new ChatMessage(ChatRole.Assistant, entry.Text);
        if (entry.Refused == true)
        {
            message.Contents.Add(new ErrorContent("The provider reported a refusal.") { ErrorCode = "Refusal" });
        }

        var response = new ChatResponse(message)
        {
            FinishReason = entry.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            Usage = entry.InputTokens is null && entry.OutputTokens is null && entry.CachedInputTokens is null ? null
                : new UsageDetails { InputTokenCount = entry.InputTokens, OutputTokenCount = entry.OutputTokens, CachedInputTokenCount = entry.CachedInputTokens },
        };
        if (entry.Properties is { Count: > 0 } properties)
        {
            response.AdditionalProperties = [];
            foreach (var (key, value) in properties)
            {
                response.AdditionalProperties[key] = value;
            }
        }

        return response;
    }
}

/// <summary>Source-generated serialization of the response cache's entries.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DiskCacheChatClient.Entry))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
