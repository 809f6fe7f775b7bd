using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// Keys of <c>ChatResponse.AdditionalProperties</c> entries that RoutedPrompts reads (the confidence signal) or that
/// its replay client writes. A chat client (or a middleware around it) that knows the answer's log-probability should
/// set <see cref="LogProb"/>; one that only has a 0..1 confidence should set <see cref="Confidence"/>. Such a client
/// implements <see cref="IConfidenceReportingChatClient"/>; for OpenAI-compatible endpoints,
/// <c>UseOpenAILogProbabilities()</c> (package <c>RoutedPrompts.OpenAI</c>) is that middleware.
/// </summary>
public static class RoutedPromptsResponseProperties
{
    /// <summary>
    /// The answer's total log-probability (natural log, at most 0). Confidence is <c>exp(logprob)</c>. Takes precedence
    /// over <see cref="Confidence"/>. Values may be <see cref="double"/>, <see cref="float"/>, <see cref="decimal"/>,
    /// a numeric <c>JsonElement</c> or an invariant-culture string.
    /// </summary>
    public const string LogProb = "routedprompts.logprob";

    /// <summary>The answer's confidence, 0..1. Used when <see cref="LogProb"/> is absent. Same value types as <see cref="LogProb"/>.</summary>
    public const string Confidence = "routedprompts.confidence";

    /// <summary>What a recorded call cost in USD (set by the replay client; informational).</summary>
    public const string RecordedCostUsd = "routedprompts.recorded_cost_usd";

    /// <summary>How long a recorded call took in milliseconds (set by the replay client; informational).</summary>
    public const string RecordedLatencyMs = "routedprompts.recorded_latency_ms";

    /// <summary>
    /// The confidence (0..1) the router's confidence gate reads from <paramref name="response"/>: <see cref="LogProb"/>,
    /// else <see cref="Confidence"/>. Only these properties count: a provider's raw response is never read, so the
    /// signal survives middleware that keeps <see cref="ChatResponse.AdditionalProperties"/> (Microsoft.Extensions.AI's
    /// distributed cache does) above the middleware that writes it (<c>UseOpenAILogProbabilities()</c>). For middleware
    /// that stores or forwards responses in its own format (a cache, a recorder) and must keep the signal: write the
    /// value back as <see cref="Confidence"/>.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The confidence, or <see langword="null"/> when the response carries no usable signal.</returns>
    public static double? ReadConfidence(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ResponseConfidence.ReadFrom(response);
    }
}
