namespace RoutedPrompts;

/// <summary>Tier and outcome names without reflection.</summary>
internal static class TierNames
{
    /// <summary>The tier names, in tier order: the one table (<see cref="Shared.RoutedPromptsShape.TierNames"/>) the build and the tool use too.</summary>
    public static readonly string[] All = Shared.RoutedPromptsShape.TierNames;

    private static readonly string[] Outcomes =
    [
        "Accepted", "Empty", "Refusal", "Truncated", "InvalidJson", "SchemaViolation", "LowConfidence",
        "ValidatorRejected", "ProviderError", "CircuitOpen", "MissingConfidence",
    ];

    private static readonly string[] FailureKinds =
    [
        "None", "RateLimited", "ServerError", "ClientError", "Timeout", "Network", "MalformedResponse", "CircuitOpen", "Other", "ReplayMiss",
    ];

    public static string Name(ProviderFailureKind kind) =>
        (uint)kind < (uint)FailureKinds.Length ? FailureKinds[(int)kind] : ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Name(Tier tier) => (uint)tier < (uint)All.Length ? All[(int)tier] : ((int)tier).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Name(AttemptOutcome outcome) =>
        (uint)outcome < (uint)Outcomes.Length ? Outcomes[(int)outcome] : ((int)outcome).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses a tier name (case-insensitive); numbers are not tier names.</summary>
    public static bool TryParse(string? name, out Tier tier)
    {
        var index = Shared.RoutedPromptsShape.TierIndex(name);
        tier = (Tier)(index ?? 0);
        return index is not null;
    }
}
