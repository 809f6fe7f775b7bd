// The start-tier classifier's feature definition as the lock file records it. Compiled (as source) into the generator and
// the analyzers, linked into the runtime (whose featurizer implements it), so the generator bakes only a classifier whose
// features the runtime computes.
#nullable enable

namespace RoutedPrompts.Shared
{
    /// <summary>The start-tier classifier's feature definition: its version and the bounds of a lock entry's <c>classifier</c> model.</summary>
    internal static class ClassifierFeatures
    {
        /// <summary>
        /// The feature definition the runtime computes (hashed word uni/bigrams and character 3–5-grams of the user
        /// messages, lower-cased, FNV-1a, sublinear TF, L2-normalised, plus the length features). A lock entry whose
        /// classifier names another version is not baked.
        /// </summary>
        public const int Version = 1;

        /// <summary>How many length features the definition has (log chars, log words, log lines, digit share, code present).</summary>
        public const int LengthCount = 5;

        /// <summary>The fewest hash bits (2^bits buckets) a classifier may use.</summary>
        public const int MinBucketBits = 8;

        /// <summary>The most hash bits a classifier may use.</summary>
        public const int MaxBucketBits = 24;
    }
}
