namespace RoutedPrompts;

/// <summary>
/// Where a request started and how far it could go, and why: the task's planned range, the routing rule that matched
/// (if any), the classifier's prediction (if the task has one). Set on <see cref="Routed{T}.Route"/> and
/// <see cref="RoutingException.Route"/>.
/// </summary>
public sealed class RouteDecision
{
    /// <summary>The tier the task's plan starts at (code, configuration and lock file), before rules and the classifier.</summary>
    public required Tier PlannedStart { get; init; }

    /// <summary>The tier the request started at.</summary>
    public required Tier Start { get; init; }

    /// <summary>The highest tier the request could escalate to.</summary>
    public required Tier Max { get; init; }

    /// <summary>The name of the routing rule that matched (its <c>Name</c>, else its configuration path), or <see langword="null"/>.</summary>
    public string? Rule { get; init; }

    /// <summary>
    /// The task classifier's probability that the planned start tier's gated answer would be accepted and correct, or
    /// <see langword="null"/> when no classifier ran.
    /// </summary>
    public double? ClassifierProbability { get; init; }

    /// <summary>Whether the classifier sent the request past the planned start tier (its probability was below its threshold).</summary>
    public bool ClassifierRaisedStart { get; init; }

    /// <summary>The request's input tokens as a rule counted them, or <see langword="null"/> when no rule needed them.</summary>
    public int? InputTokens { get; init; }

    /// <summary>Whether <see cref="InputTokens"/> is an estimate (no tokenizer is known for the start tier's model).</summary>
    public bool InputTokensEstimated { get; init; }

    /// <summary>The request's context, or <see langword="null"/>.</summary>
    public RouteContext? Context { get; init; }
}
