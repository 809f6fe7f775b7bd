namespace RoutedPrompts.Shared
{
    /// <summary>A start-tier classifier baked from a current lock entry: the arguments of the <c>PromptClassifier</c> constructor the descriptor calls.</summary>
    internal sealed record ClassifierBaking
    {
        public required int FeaturesVersion { get; init; }

        public required int BucketBits { get; init; }

        public required double Bias { get; init; }

        public required EquatableArray<int> Indices { get; init; }

        public required EquatableArray<double> Weights { get; init; }

        public required EquatableArray<double> LengthWeights { get; init; }

        public required EquatableArray<double> LengthMeans { get; init; }

        public required EquatableArray<double> LengthScales { get; init; }

        public required double Threshold { get; init; }

        public static ClassifierBaking? Of(LockClassifier? classifier) => classifier is { IsBakeable: true } c
            ? new ClassifierBaking
            {
                FeaturesVersion = c.FeaturesVersion,
                BucketBits = c.BucketBits,
                Bias = c.Bias,
                Indices = c.Indices.ToEquatableArray(),
                Weights = c.Weights.ToEquatableArray(),
                LengthWeights = c.LengthWeights.ToEquatableArray(),
                LengthMeans = c.LengthMeans.ToEquatableArray(),
                LengthScales = c.LengthScales.ToEquatableArray(),
                Threshold = c.Threshold,
            }
            : null;
    }
}
