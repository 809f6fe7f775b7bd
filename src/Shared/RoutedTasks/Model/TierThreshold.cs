namespace RoutedPrompts.Shared
{
    /// <summary>A calibrated minimum confidence for one tier.</summary>
    internal sealed record TierThreshold
    {
        public required int Tier { get; init; }

        public required double Threshold { get; init; }
    }
}
