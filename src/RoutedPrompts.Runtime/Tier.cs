namespace RoutedPrompts;

/// <summary>
/// A capability tier. Tiers are ordered by capability (and, normally, by price): a cascade starts at a task's tier
/// and only ever moves up. Which models serve a tier is configuration (<c>RoutedPrompts:Tiers</c>), never code.
/// </summary>
public enum Tier
{
    /// <summary>The cheapest tier, tried first for tasks that start here.</summary>
    Small = 0,

    /// <summary>The middle tier.</summary>
    Medium = 1,

    /// <summary>The most capable (and most expensive) tier.</summary>
    Large = 2,
}
