namespace RoutedPrompts;

/// <summary>
/// Who and what a request is for: the feature or endpoint that made it, the user's tier, a tenant, free tags. A routed
/// method may take one as a parameter; it is never rendered into the prompt. Routing rules
/// (<c>RoutedPrompts:Rules</c>, <c>Tasks:&lt;name&gt;:Rules</c>) match on it and telemetry carries it.
/// </summary>
public sealed class RouteContext
{
    /// <summary>The feature or endpoint that made the request (for example <c>checkout</c>), or <see langword="null"/>.</summary>
    public string? Feature { get; init; }

    /// <summary>The user's tier or plan (for example <c>free</c>, <c>pro</c>), or <see langword="null"/>.</summary>
    public string? UserTier { get; init; }

    /// <summary>The tenant the request is for, or <see langword="null"/>. Carried on the request's activity, never as a metric tag.</summary>
    public string? Tenant { get; init; }

    /// <summary>Free tags (for example <c>beta</c>); a rule's <c>Tags</c> condition matches when every tag it lists is here.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
