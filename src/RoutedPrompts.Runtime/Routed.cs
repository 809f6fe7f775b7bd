namespace RoutedPrompts;

/// <summary>A (provider, model) pair serving a tier, as configured.</summary>
/// <param name="Provider">The key of the provider's <c>IChatClient</c> registration (for example <c>openai</c>).</param>
/// <param name="Model">The model id sent as <c>ChatOptions.ModelId</c>.</param>
public sealed record DeploymentInfo(string Provider, string Model)
{
    /// <inheritdoc />
    public override string ToString() => $"{Provider}/{Model}";
}

/// <summary>How one attempt of a cascade ended.</summary>
public enum AttemptOutcome
{
    /// <summary>The answer passed every gate and was returned.</summary>
    Accepted = 0,

    /// <summary>The answer was empty or whitespace.</summary>
    Empty,

    /// <summary>The model refused (a refusal phrase, or the provider's content filter).</summary>
    Refusal,

    /// <summary>The answer was cut off by the output token limit.</summary>
    Truncated,

    /// <summary>A JSON task's answer was not parseable JSON.</summary>
    InvalidJson,

    /// <summary>The answer violated the task's JSON Schema or did not deserialize into the result type.</summary>
    SchemaViolation,

    /// <summary>The provider's log-probability confidence was below the task's threshold.</summary>
    LowConfidence,

    /// <summary>A user validator rejected the answer.</summary>
    ValidatorRejected,

    /// <summary>The call to the provider failed (an availability failure, not an answer-quality one).</summary>
    ProviderError,

    /// <summary>
    /// The deployment's circuit breaker was open, so it was not called (an availability failure): the request went on to
    /// the next deployment.
    /// </summary>
    CircuitOpen,

    /// <summary>
    /// A confidence threshold applies at the tier, but the answer carried no confidence signal (the deployment was not
    /// asked for log-probabilities, the endpoint ignored <c>logprobs</c>, or a cache or proxy dropped the raw response):
    /// a gate failure, so the request escalates. Without a threshold a missing signal changes nothing.
    /// </summary>
    MissingConfidence,
}

/// <summary>What kind of availability failure a deployment had (see <see cref="RoutingAttempt.Failure"/>).</summary>
public enum ProviderFailureKind
{
    /// <summary>No availability failure: the deployment answered (the answer may still have failed a gate).</summary>
    None = 0,

    /// <summary>HTTP 429: the provider rate-limited the request.</summary>
    RateLimited,

    /// <summary>HTTP 5xx (or 408): the provider failed.</summary>
    ServerError,

    /// <summary>Another HTTP error status (400, 401, 404, ...): not retried.</summary>
    ClientError,

    /// <summary>A try ran past its <see cref="ResilienceOptions.AttemptTimeout"/> (or the HTTP client's own timeout).</summary>
    Timeout,

    /// <summary>The connection failed or was dropped, or the body ended early.</summary>
    Network,

    /// <summary>
    /// The provider answered with a body that is not a well-formed chat completion (the client could not read it), the
    /// client returned no response, or the usage is impossible (negative, over a billion tokens, or more cached input tokens than input tokens): retried.
    /// </summary>
    MalformedResponse,

    /// <summary>The deployment's circuit was open; no request was sent.</summary>
    CircuitOpen,

    /// <summary>Any other exception from the chat client: not retried.</summary>
    Other,

    /// <summary>
    /// A <see cref="Replay.ReplayChatClient"/> has no recorded answer to the request for the deployment's model (a
    /// <see cref="Replay.ReplayMissException"/>; the reason names the closest recorded request): not retried.
    /// </summary>
    ReplayMiss,
}

/// <summary>One call to one deployment during a routed request, and how it ended.</summary>
/// <param name="Tier">The tier the deployment serves.</param>
/// <param name="Deployment">The deployment that was called.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="Reason">Why it failed (gate or error detail); <see langword="null"/> when accepted.</param>
/// <param name="Confidence">The answer's confidence (0..1) when the provider returned log-probabilities.</param>
/// <param name="InputTokens">Input tokens reported by the provider.</param>
/// <param name="OutputTokens">Output tokens reported by the provider.</param>
/// <param name="CostUsd">What the call cost, from the usage and the deployment's prices.</param>
/// <param name="Latency">Wall-clock time of the call.</param>
public sealed record RoutingAttempt(
    Tier Tier,
    DeploymentInfo Deployment,
    AttemptOutcome Outcome,
    string? Reason,
    double? Confidence,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    TimeSpan Latency)
{
    /// <summary>Whether this attempt's answer was returned.</summary>
    public bool Accepted => Outcome == AttemptOutcome.Accepted;

    /// <summary>
    /// Whether the deployment was unavailable (<see cref="AttemptOutcome.ProviderError"/> or
    /// <see cref="AttemptOutcome.CircuitOpen"/>), as opposed to answering (accepted, or failing a gate).
    /// </summary>
    public bool IsAvailabilityFailure => Outcome.IsAvailabilityFailure();

    /// <summary>The kind of availability failure of the attempt's last try; <see cref="ProviderFailureKind.None"/> when the deployment answered.</summary>
    public ProviderFailureKind Failure { get; init; }

    /// <summary>The HTTP status code of the last failed try, when the provider answered with one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>How many HTTP requests (tries) reached the deployment in this attempt: 0 when its circuit was open.</summary>
    public int Requests { get; init; }

    /// <summary>How many of those tries were retries (<see cref="Requests"/> minus the first, at most <see cref="ResilienceOptions.MaxRetries"/>).</summary>
    public int Retries { get; init; }
}

/// <summary>A routed task's answer with its provenance: who answered, what was tried before, and what it cost.</summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class Routed<T>
{
    /// <summary>Creates a routed result. Normally created by <see cref="PromptRouter"/>.</summary>
    /// <param name="taskName">The task's name.</param>
    /// <param name="value">The accepted answer.</param>
    /// <param name="attempts">Every attempt in order; the last one is the accepted one.</param>
    public Routed(string taskName, T value, IReadOnlyList<RoutingAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        ArgumentNullException.ThrowIfNull(attempts);
        if (attempts.Count == 0 || !attempts[^1].Accepted)
        {
            throw new ArgumentException("The last attempt of a routed result must be the accepted one.", nameof(attempts));
        }

        TaskName = taskName;
        Value = value;
        Attempts = attempts;
    }

    /// <summary>The task's name.</summary>
    public string TaskName { get; }

    /// <summary>The accepted answer.</summary>
    public T Value { get; }

    /// <summary>Every attempt in order, the accepted one last.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts { get; }

    /// <summary>The accepted attempt.</summary>
    public RoutingAttempt Answer => Attempts[^1];

    /// <summary>The tier that answered.</summary>
    public Tier Tier => Answer.Tier;

    /// <summary>The deployment that answered.</summary>
    public DeploymentInfo Deployment => Answer.Deployment;

    /// <summary>How many times the cascade moved up a tier.</summary>
    public int Escalations
    {
        get
        {
            var count = 0;
            for (var i = 1; i < Attempts.Count; i++)
            {
                if (Attempts[i].Tier != Attempts[i - 1].Tier)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>Input tokens over all attempts.</summary>
    public long InputTokens => Attempts.Sum(a => a.InputTokens);

    /// <summary>Output tokens over all attempts.</summary>
    public long OutputTokens => Attempts.Sum(a => a.OutputTokens);

    /// <summary>Cost in USD over all attempts, escalations included.</summary>
    public decimal CostUsd => Attempts.Sum(a => a.CostUsd);

    /// <summary>Where the request started and why (rules, classifier), or <see langword="null"/> when the router did not record it.</summary>
    public RouteDecision? Route { get; init; }

    /// <summary>Wall-clock time over all attempts.</summary>
    public TimeSpan Latency => TimeSpan.FromTicks(Attempts.Sum(a => a.Latency.Ticks));

    /// <inheritdoc />
    public override string ToString() =>
        $"{TaskName}: answered by {Tier} ({Deployment}) after {Attempts.Count} attempt(s), {CostUsd:0.######} USD";
}

/// <summary>Questions about an <see cref="AttemptOutcome"/>.</summary>
public static class AttemptOutcomeExtensions
{
    /// <summary>
    /// Whether the outcome means the deployment was unavailable (<see cref="AttemptOutcome.ProviderError"/> or
    /// <see cref="AttemptOutcome.CircuitOpen"/>: the router falls over to the tier's next deployment), as opposed to
    /// an answer (accepted, or failing a gate: the router escalates).
    /// </summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>Whether it is an availability failure.</returns>
    public static bool IsAvailabilityFailure(this AttemptOutcome outcome) => outcome is AttemptOutcome.ProviderError or AttemptOutcome.CircuitOpen;
}
