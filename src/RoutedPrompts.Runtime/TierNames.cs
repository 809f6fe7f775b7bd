namespace RoutedPrompts;

/// <summary>Tier and outcome names without reflection.</summary>
internal static class TierNames
{
    public static readonly string[] All = ["Small", "Medium", "Large"];

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
        for (var i = 0; i < All.Length; i++)
        {
            if (string.Equals(All[i], name, StringComparison.OrdinalIgnoreCase))
            {
                tier = (Tier)i;
                return true;
            }
        }

        tier = default;
        return false;
    }
}
