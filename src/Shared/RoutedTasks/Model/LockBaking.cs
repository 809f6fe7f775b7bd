namespace RoutedPrompts.Shared
{
    /// <summary>
    /// What the generator baked from a current <c>routedprompts.lock.json</c> entry: the attribute's start tier (the
    /// floor), the entry's start tier, the per-tier confidence thresholds and the start-tier classifier.
    /// </summary>
    internal sealed record LockBaking
    {
        public required int AttributeTier { get; init; }

        public required int? StartTier { get; init; }

        public required EquatableArray<TierThreshold> Thresholds { get; init; }

        /// <summary>The start-tier classifier, when the entry has a bakeable one.</summary>
        public ClassifierBaking? Classifier { get; init; }
    }
}
