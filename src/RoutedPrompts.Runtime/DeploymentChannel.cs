using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using RoutedPrompts.Replay;

namespace RoutedPrompts;

/// <summary>
/// What the router keeps about one deployment of one tier across options reloads: its circuit breaker and its health.
/// A reload keeps it while the (tier, deployment) stays configured; the breaker is rebuilt (closed) only when the
/// breaker's own settings change, so a reload of anything else leaves an open circuit open.
/// </summary>
internal sealed class DeploymentState
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RouterMetrics _metrics;
    private readonly object _gate = new();
    private Breaker? _breaker;
    private long _requests;
    private long _failures;
    private double _errorRate;
    private double _latencySeconds = double.NaN;
    private TimeSpan? _lastLatency;
    private DateTimeOffset? _lastFailureAt;

    public DeploymentState(Tier tier, DeploymentInfo info, TimeProvider time, ILogger logger, RouterMetrics metrics)
    {
        Tier = tier;
        Info = info;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    public Tier Tier { get; }

    public DeploymentInfo Info { get; }

    /// <summary>
    /// The circuit breaker for <paramref name="settings"/>: the current one when its settings are unchanged, else a new
    /// (closed) one; <see langword="null"/> when the breaker is off. Called while a route plan is built (one at a time).
    /// </summary>
    public ResiliencePipeline<ChatResponse>? BreakerFor(ResolvedResilience settings)
    {
        var current = Volatile.Read(ref _breaker);
        if (!settings.CircuitBreakerEnabled)
        {
            Volatile.Write(ref _breaker, null);
            return null;
        }

        if (current is not null && current.Settings == settings.Breaker)
        {
            return current.Pipeline;
        }

        var created = new Breaker(settings.Breaker, this);
        Volatile.Write(ref _breaker, created);
        return created.Pipeline;
    }

    /// <summary>The deployment's health now.</summary>
    public DeploymentHealth Health()
    {
        var circuit = Volatile.Read(ref _breaker)?.State.CircuitState switch
        {
            CircuitState.Open => DeploymentCircuitState.Open,
            CircuitState.HalfOpen => DeploymentCircuitState.HalfOpen,
            CircuitState.Isolated => DeploymentCircuitState.Isolated,
            _ => DeploymentCircuitState.Closed,
        };
        lock (_gate)
        {
            return new DeploymentHealth(Tier, Info, circuit, _requests, _failures, _errorRate,
                double.IsNaN(_latencySeconds) ? null : TimeSpan.FromSeconds(_latencySeconds), _lastLatency, _lastFailureAt);
        }
    }

    /// <summary>Records one try: its failure (<see langword="null"/> for an answer) and its latency.</summary>
    public void Observe(ProviderFailureKind? failure, TimeSpan latency)
    {
        const double Alpha = 0.1;
        lock (_gate)
        {
            _requests++;
            _lastLatency = latency;
            _latencySeconds = double.IsNaN(_latencySeconds) ? latency.TotalSeconds : (Alpha * latency.TotalSeconds) + ((1 - Alpha) * _latencySeconds);
            _errorRate = (Alpha * (failure is null ? 0 : 1)) + ((1 - Alpha) * _errorRate);
            if (failure is not null)
            {
                _failures++;
                _lastFailureAt = _time.GetUtcNow();
            }
        }

        Count(failure ?? ProviderFailureKind.None);
    }

    /// <summary>Counts one request of the deployment (a try, or one the open circuit shed) by its result.</summary>
    public void Count(ProviderFailureKind kind) =>
        _metrics.ProviderRequests.Add(1, new(TelemetryTags.Tier, TierNames.Name(Tier)), new(TelemetryTags.Provider, Info.Provider),
            new(TelemetryTags.Model, Info.Model), new(TelemetryTags.Result, kind == ProviderFailureKind.None ? "success" : TierNames.Name(kind)));

    /// <summary>A circuit breaker built for one set of breaker settings.</summary>
    private sealed class Breaker
    {
        public Breaker(BreakerSettings settings, DeploymentState owner)
        {
            Settings = settings;
            var name = owner.Info.ToString();
            var tier = TierNames.Name(owner.Tier);
            var logger = owner._logger;
            Pipeline = new ResiliencePipelineBuilder<ChatResponse> { TimeProvider = owner._time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ChatResponse>
                {
                    FailureRatio = settings.FailureRatio,
                    MinimumThroughput = settings.MinimumThroughput,
                    SamplingDuration = settings.SamplingDuration,
                    BreakDuration = settings.BreakDuration,
                    StateProvider = State,
                    ShouldHandle = static args => ValueTask.FromResult(DeploymentChannel.ShouldHandle(args.Outcome.Exception, args.Context)),
                    OnOpened = args =>
                    {
                        RouterLog.CircuitOpened(logger, name, tier, args.BreakDuration.TotalSeconds);
                        return default;
                    },
                    OnHalfOpened = _ =>
                    {
                        RouterLog.CircuitHalfOpened(logger, name, tier);
                        return default;
                    },
                    OnClosed = _ =>
                    {
                        RouterLog.CircuitClosed(logger, name, tier);
                        return default;
                    },
                })
                .Build();
        }

        public BreakerSettings Settings { get; }

        public CircuitBreakerStateProvider State { get; } = new();

        public ResiliencePipeline<ChatResponse> Pipeline { get; }
    }
}

/// <summary>
/// One deployment of one route plan, ready to call: its chat client and its resilience pipeline (retry around the
/// deployment's circuit breaker around a per-try timeout). The breaker and the health live in the
/// <see cref="DeploymentState"/>, shared with the plans before and after this one; per-request state travels in the
/// <see cref="ResilienceContext"/>.
/// </summary>
internal sealed class DeploymentChannel
{
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("routedprompts.call");

    private readonly TimeProvider _time;

    public DeploymentChannel(DeploymentPlan plan, IChatClient client, DeploymentState state, TimeProvider time, ILogger logger, RouterMetrics metrics)
    {
        Plan = plan;
        Client = client;
        State = state;
        Recording = client.GetService<ReplayChatClient>()?.Recording;
        MissesConfidence = plan.LogProbabilities && client.GetService<IConfidenceReportingChatClient>() is null;
        _time = time;
        var settings = plan.Resilience;
        var name = plan.Info.ToString();
        var tier = TierNames.Name(plan.Tier);
        var builder = new ResiliencePipelineBuilder<ChatResponse> { TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<ChatResponse>
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                ShouldHandle = static args => ValueTask.FromResult(ShouldHandle(args.Outcome.Exception, args.Context)),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(StateKey, out var state) ? state.TakeRetryAfter() : null),
                OnRetry = args =>
                {
                    int? status = null;
                    if (args.Context.Properties.TryGetValue(StateKey, out var state))
                    {
                        state.Retries++;
                        status = state.Classified(args.Outcome.Exception!).Status;
                    }

                    metrics.Retries.Add(1, new(TelemetryTags.Tier, tier), new(TelemetryTags.Provider, plan.Info.Provider), new(TelemetryTags.Model, plan.Info.Model));
                    RouterLog.Retrying(logger, name, tier, args.AttemptNumber + 2, args.RetryDelay.TotalMilliseconds, Describe(args.Outcome.Exception, status));
                    return default;
                },
            });
        }

        if (state.BreakerFor(settings) is { } breaker)
        {
            builder.AddPipeline(breaker);
        }

        builder.AddTimeout(settings.AttemptTimeout);
        Pipeline = builder.Build();
    }

    public DeploymentPlan Plan { get; }

    /// <summary>The deployment's chat client, resolved once for the plan.</summary>
    public IChatClient Client { get; }

    /// <summary>The recording the client replays, or <see langword="null"/> for a live provider.</summary>
    public ReplayRecording? Recording { get; }

    /// <summary>
    /// Whether the deployment is configured for confidence (<c>LogProbabilities</c>) but its client stack has no
    /// <see cref="IConfidenceReportingChatClient"/>, so the confidence gate would never see a signal.
    /// </summary>
    public bool MissesConfidence { get; }

    /// <summary>The breaker and health this channel shares with the plans before and after it.</summary>
    public DeploymentState State { get; }

    public ResiliencePipeline<ChatResponse> Pipeline { get; }

    /// <summary>
    /// Sends one request through the pipeline. Returns the response or the failure (never throws, except the caller's
    /// cancellation), with how many tries reached the provider and how many were retries.
    /// </summary>
    public async ValueTask<ChannelResult> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var state = new CallState(this, messages, options, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            var response = await Pipeline.ExecuteAsync(static (ctx, s) => s.Channel.TryAsync(s, ctx.CancellationToken), context, state).ConfigureAwait(false);
            return new ChannelResult(response, null, ProviderFailureKind.None, null, state.Requests, state.Retries);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var (kind, status) = state.Classified(ex);
            if (kind == ProviderFailureKind.CircuitOpen)
            {
                State.Count(ProviderFailureKind.CircuitOpen);
            }

            return new ChannelResult(null, ex, kind, status, state.Requests, state.Retries) { Reason = Describe(ex, status) };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether an exception seen by the retry or the breaker is worth another try.</summary>
    internal static bool IsTransient(Exception? exception, CancellationToken callerToken) => exception switch
    {
        null => false,
        BrokenCircuitException => false,
        TimeoutRejectedException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => IsTransient(Classify(exception).Kind),
    };

    private static bool IsTransient(ProviderFailureKind kind) =>
        kind is ProviderFailureKind.RateLimited or ProviderFailureKind.ServerError or ProviderFailureKind.Timeout
            or ProviderFailureKind.Network or ProviderFailureKind.MalformedResponse;

    /// <summary>
    /// The retry's and the breaker's predicate: a failed try is judged by the classification its try recorded (each try
    /// is classified once); the pipeline's own outcomes (an open circuit, a per-try timeout, the caller's cancellation)
    /// by their type.
    /// </summary>
    internal static bool ShouldHandle(Exception? exception, ResilienceContext context) =>
        exception is not null and not BrokenCircuitException and not TimeoutRejectedException and not OperationCanceledException
        && context.Properties.TryGetValue(StateKey, out var state)
            ? IsTransient(state.Classified(exception).Kind)
            : IsTransient(exception, context.CancellationToken);

    /// <summary>What kind of failure an exception from a chat client is, and its HTTP status when there is one.</summary>
    internal static (ProviderFailureKind Kind, int? Status) Classify(Exception exception)
    {
        if (exception is ReplayMissException)
        {
            return (ProviderFailureKind.ReplayMiss, null);
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            int? status = e switch
            {
                ClientResultException { Status: > 0 } c => c.Status,
                HttpRequestException { StatusCode: { } s } => (int)s,
                _ => null,
            };
            if (status is { } code)
            {
                return (code switch
                {
                    429 => ProviderFailureKind.RateLimited,
                    408 or >= 500 => ProviderFailureKind.ServerError,
                    _ => ProviderFailureKind.ClientError,
                }, code);
            }
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsMalformedBody(e))
            {
                return (ProviderFailureKind.MalformedResponse, null);
            }
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutRejectedException or TimeoutException:
                    return (ProviderFailureKind.Timeout, null);
                case HttpRequestException or IOException or System.Net.Sockets.SocketException:
                    return (ProviderFailureKind.Network, null);
            }
        }

        return (ProviderFailureKind.Other, null);
    }

    /// <summary>
    /// Whether <paramref name="e"/> says the client could not read the provider's answer: a JSON, format or data error,
    /// anything System.Text.Json threw (a mistyped field, invalid UTF-8 or UTF-16 in a string), a missing field or
    /// element the SDK dereferenced (empty <c>choices</c>, no <c>message</c>), or an answer <see cref="MalformedResponseException"/> rejected.
    /// </summary>
    private static bool IsMalformedBody(Exception e) =>
        e is JsonException or FormatException or InvalidDataException or KeyNotFoundException or MalformedResponseException
            or NullReferenceException or IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidCastException
        || e.Source is "System.Text.Json" or "System.Text.Json.Rethrowable";

    /// <summary>A short description for logs and attempt reasons: the exception type and the HTTP status, never the message (it may echo request data).</summary>
    internal static string Describe(Exception? error) => Describe(error, error is null ? null : Classify(error).Status);

    /// <summary>The description of <paramref name="error"/> whose classification gave <paramref name="status"/>.</summary>
    private static string Describe(Exception? error, int? status) => error switch
    {
        null => "no error",
        BrokenCircuitException => "circuit open",
        ReplayMissException miss => "replay miss: " + miss.Message, // names the request by fingerprint and the closest recorded one; quotes the prompt only when opted in
        MalformedResponseException malformed => malformed.Message, // written by the router from counts, never from the provider's text
        _ => status is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"{error.GetType().Name} (HTTP {code} {(HttpStatusCode)code})")
            : error.GetType().Name,
    };

    private async ValueTask<ChatResponse> TryAsync(CallState state, CancellationToken tryToken)
    {
        state.Requests++;
        var started = _time.GetTimestamp();
        try
        {
            var response = await Client.GetResponseAsync(state.Messages, state.Options, tryToken).ConfigureAwait(false);
            MalformedResponseException.ThrowIfMalformed(response);
            State.Observe(null, _time.GetElapsedTime(started));
            return response;
        }
        catch (Exception ex) when (!state.CallerToken.IsCancellationRequested)
        {
            // The one classification of this try: the retry, the breaker and the result read it from the state.
            var (kind, status) = ex is OperationCanceledException ? (ProviderFailureKind.Timeout, null) : Classify(ex);
            state.LastKind = kind;
            state.LastStatus = status;
            state.RetryAfter = RetryAfter(ex);
            State.Observe(kind, _time.GetElapsedTime(started));
            throw;
        }
    }
    /// <summary>
    /// The provider's <c>retry-after-ms</c> or <c>Retry-After</c> (seconds or an HTTP date), when the failure carries
    /// one, capped to <see cref="ResolvedResilience.MaxRetryAfter"/> (so a huge or infinite value is just the cap).
    /// </summary>
    private TimeSpan? RetryAfter(Exception exception)
    {
        var cap = Plan.Resilience.MaxRetryAfter;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is not ClientResultException result || result.GetRawResponse() is not { } response)
            {
                continue;
            }

            if (response.Headers.TryGetValue("retry-after-ms", out var ms)
                && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            {
                return milliseconds < cap.TotalMilliseconds ? TimeSpan.FromMilliseconds(milliseconds) : cap;
            }

            if (response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    return seconds < cap.TotalSeconds ? TimeSpan.FromSeconds(seconds) : cap;
                }

                if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    var wait = at - _time.GetUtcNow();
                    return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < cap ? wait : cap;
                }
            }
        }

        return null;
    }

    /// <summary>One request's state across its tries.</summary>
    private sealed class CallState(DeploymentChannel channel, IReadOnlyList<ChatMessage> messages, ChatOptions options, CancellationToken callerToken)
    {
        public DeploymentChannel Channel { get; } = channel;

        public IReadOnlyList<ChatMessage> Messages { get; } = messages;

        public ChatOptions Options { get; } = options;

        public CancellationToken CallerToken { get; } = callerToken;

        public int Requests { get; set; }

        public int Retries { get; set; }

        /// <summary>The last failed try's classification (each try's failure is classified once).</summary>
        public ProviderFailureKind LastKind { get; set; }

        public int? LastStatus { get; set; }

        public TimeSpan? RetryAfter { get; set; }

        /// <summary>
        /// The classification of a failure the pipeline reports: an open circuit, else the last try's (the try's own
        /// exception, or the per-try timeout that replaced it), else (failing before any try, which should not happen)
        /// a fresh classification.
        /// </summary>
        public (ProviderFailureKind Kind, int? Status) Classified(Exception error) =>
            error is BrokenCircuitException ? (ProviderFailureKind.CircuitOpen, null)
            : LastKind != ProviderFailureKind.None ? (LastKind, LastStatus)
            : Classify(error);

        public TimeSpan? TakeRetryAfter()
        {
            var value = RetryAfter;
            RetryAfter = null;
            return value;
        }
    }
}

/// <summary>What a deployment's pipeline returned for one request.</summary>
internal readonly record struct ChannelResult(ChatResponse? Response, Exception? Error, ProviderFailureKind Failure, int? StatusCode, int Requests, int Retries)
{
    /// <summary>The failure in words for logs and the attempt (<see cref="DeploymentChannel.Describe(Exception?)"/>); <see langword="null"/> for an answer.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// A chat client's answer the router cannot use although the call succeeded: no <see cref="ChatResponse"/>, or usage
/// no provider can report (negative, more tokens than any model reads or writes, or more cached input tokens than the
/// input tokens reported). Classed
/// <see cref="ProviderFailureKind.MalformedResponse"/>: retried, then the next deployment. Its message is the router's
/// own and never quotes the provider.
/// </summary>
internal sealed class MalformedResponseException(string message) : Exception(message)
{
    /// <summary>More tokens than this in one request or answer is not a real count.</summary>
    internal const long MaxPlausibleTokens = 1_000_000_000;

    /// <summary>A recorded cost above this (USD, one call) is not a real cost.</summary>
    internal const double MaxPlausibleCostUsd = 1_000_000;

    /// <summary>Throws when <paramref name="response"/> is missing or reports impossible usage.</summary>
    public static void ThrowIfMalformed(ChatResponse? response)
    {
        if (response is null)
        {
            throw new MalformedResponseException("malformed response: the chat client returned no ChatResponse");
        }

        CheckTokens("input", response.Usage?.InputTokenCount);
        CheckTokens("cached input", response.Usage?.CachedInputTokenCount);
        CheckTokens("output", response.Usage?.OutputTokenCount);
        if (response.Usage is { CachedInputTokenCount: { } cached, InputTokenCount: { } input } && cached > input)
        {
            // Cached input tokens are part of the input tokens (UsageDetails' contract); more would price below zero.
            // A client that reports no input count at all is not contradicted: the cached tokens are then the input known.
            throw new MalformedResponseException(string.Create(CultureInfo.InvariantCulture,
                $"malformed response: {cached} cached input tokens is more than the {input} input tokens they are part of"));
        }

        if (ResponseConfidence.Number(response.AdditionalProperties, RoutedPromptsResponseProperties.RecordedCostUsd) is { } usd
            && !IsPlausibleCost(usd))
        {
            throw new MalformedResponseException(string.Create(CultureInfo.InvariantCulture,
                $"malformed response: recorded cost {usd} USD is not between 0 and {MaxPlausibleCostUsd}"));
        }
    }

    /// <summary>Whether <paramref name="usd"/> can be what one call cost (finite, from 0 to <see cref="MaxPlausibleCostUsd"/>).</summary>
    public static bool IsPlausibleCost(double usd) => usd >= 0 && usd <= MaxPlausibleCostUsd;

    private static void CheckTokens(string kind, long? tokens)
    {
        if (tokens is { } n && n is < 0 or > MaxPlausibleTokens)
        {
            throw new MalformedResponseException(string.Create(CultureInfo.InvariantCulture,
                $"malformed response: {n} {kind} tokens is not between 0 and {MaxPlausibleTokens}"));
        }
    }
}
