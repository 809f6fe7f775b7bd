using Microsoft.Extensions.Logging;

namespace RoutedPrompts;

/// <summary>
/// The router's log messages. None of them carries prompt or answer text except <see cref="RejectedAnswer"/>, nor a
/// provider's exception except <see cref="ProviderError"/>'s; both are only written when
/// <see cref="RoutedPromptsOptions.LogContent"/> is on.
/// </summary>
internal static partial class RouterLog
{
    [LoggerMessage(EventId = 1, EventName = "Escalation", Level = LogLevel.Information,
        Message = "Routed task {Task}: {Outcome} from tier {FromTier} ({Deployment}); escalating to tier {ToTier}")]
    public static partial void Escalating(ILogger logger, string task, string fromTier, string deployment, string outcome, string toTier);

    [LoggerMessage(EventId = 2, EventName = "Exhausted", Level = LogLevel.Warning,
        Message = "Routed task {Task} got no acceptable answer after {AttemptCount} attempt(s); last outcome {Outcome} at tier {Tier}")]
    public static partial void Exhausted(ILogger logger, string task, int attemptCount, string outcome, string tier);

    [LoggerMessage(EventId = 3, EventName = "ProviderError", Level = LogLevel.Warning,
        Message = "Routed task {Task}: deployment {Deployment} of tier {Tier} failed ({Reason}); trying the next deployment")]
    public static partial void ProviderError(ILogger logger, string task, string tier, string deployment, string reason, Exception? exception);

    [LoggerMessage(EventId = 4, EventName = "NoDeployments", Level = LogLevel.Warning,
        Message = "Routed task {Task}: tier {Tier} has no deployments configured; skipping it")]
    public static partial void TierWithoutDeployments(ILogger logger, string task, string tier);

    [LoggerMessage(EventId = 5, EventName = "RejectedAnswer", Level = LogLevel.Debug,
        Message = "Routed task {Task}: {Outcome} answer from {Deployment} ({Reason}): {Answer}")]
    public static partial void RejectedAnswer(ILogger logger, string task, string deployment, string outcome, string? reason, string answer);

    [LoggerMessage(EventId = 6, EventName = "Retrying", Level = LogLevel.Debug,
        Message = "Deployment {Deployment} of tier {Tier} failed ({Reason}); try {Try} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string deployment, string tier, int @try, double delayMs, string reason);

    [LoggerMessage(EventId = 7, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit of deployment {Deployment} of tier {Tier} opened for {BreakSeconds} s; its traffic goes to the next deployment")]
    public static partial void CircuitOpened(ILogger logger, string deployment, string tier, double breakSeconds);

    [LoggerMessage(EventId = 8, EventName = "CircuitHalfOpened", Level = LogLevel.Information,
        Message = "Circuit of deployment {Deployment} of tier {Tier} is half-open; the next request probes it")]
    public static partial void CircuitHalfOpened(ILogger logger, string deployment, string tier);

    [LoggerMessage(EventId = 9, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "Circuit of deployment {Deployment} of tier {Tier} closed; the deployment takes traffic again")]
    public static partial void CircuitClosed(ILogger logger, string deployment, string tier);

    [LoggerMessage(EventId = 10, EventName = "TierUnavailable", Level = LogLevel.Warning,
        Message = "Routed task {Task}: no deployment of tier {Tier} is available and the tier is configured to fail instead of escalating")]
    public static partial void TierUnavailable(ILogger logger, string task, string tier);

    [LoggerMessage(EventId = 11, EventName = "CircuitOpenSkipped", Level = LogLevel.Debug,
        Message = "Routed task {Task}: the circuit of deployment {Deployment} of tier {Tier} is open; trying the next deployment")]
    public static partial void CircuitOpenSkipped(ILogger logger, string task, string tier, string deployment);

    [LoggerMessage(EventId = 12, EventName = "ReloadRejected", Level = LogLevel.Error,
        Message = "A RoutedPrompts configuration reload failed validation; still serving the last valid configuration until a valid one arrives. {Reason}")]
    public static partial void ReloadRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 13, EventName = "MissingConfidence", Level = LogLevel.Warning,
        Message = "Deployment {Deployment} of tier {Tier} answered routed task {Task} without a confidence signal although the tier has a confidence threshold, so its answers fail the gate (MissingConfidence) and escalate; logged once per deployment. {Reason}")]
    public static partial void MissingConfidence(ILogger logger, string task, string tier, string deployment, string reason);

    [LoggerMessage(EventId = 14, EventName = "RuleApplied", Level = LogLevel.Debug,
        Message = "Routed task {Task}: routing rule {Rule} set the range to {StartTier}..{MaxTier} (planned {PlannedStartTier}..{PlannedMaxTier})")]
    public static partial void RuleApplied(ILogger logger, string task, string rule, string startTier, string maxTier, string plannedStartTier, string plannedMaxTier);

    [LoggerMessage(EventId = 15, EventName = "RulePatternTimeout", Level = LogLevel.Warning,
        Message = "Routed task {Task}: the pattern of routing rule {Rule} ran longer than {TimeoutMs} ms on parameter {Parameter}, so the rule did not match; simplify the pattern (logged once per rule and configuration)")]
    public static partial void RulePatternTimeout(ILogger logger, string task, string rule, string parameter, double timeoutMs);
}
