using System.Buffers;
using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.AI;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>
/// A task's start-tier classifier: a logistic regression over hashed word and character n-grams of the request's user
/// messages plus a few length features, trained by <c>routed-prompts calibrate</c> from the task's eval results and baked
/// from the lock file into the task descriptor (<see cref="RoutedTask.Classifier"/>). It predicts whether the planned
/// start tier's gated answer will be accepted and correct; below <see cref="Threshold"/> the router starts the request one
/// tier higher. A prediction costs microseconds and no model call (0 USD), and allocates nothing (its feature vector is
/// rented from the shared array pools).
/// </summary>
public sealed class PromptClassifier
{
    /// <summary>The feature definition this version of RoutedPrompts computes (a lock entry naming another one is not baked).</summary>
    public const int CurrentFeaturesVersion = ClassifierFeatures.Version;

    /// <summary>How many length features the current definition has (log chars, log words, log lines, digit share, code present).</summary>
    public const int LengthFeatureCount = ClassifierFeatures.LengthCount;

    /// <summary>A scaled length feature is clipped to this many standard deviations, so an outlier prompt cannot swamp the n-grams.</summary>
    internal const double LengthClip = 5;

    private readonly int[] _indices;
    private readonly double[] _weights;
    private readonly double[] _lengthWeights;
    private readonly double[] _lengthMeans;
    private readonly double[] _lengthScales;

    /// <summary>Creates a classifier from its weights (generated code passes the lock entry's).</summary>
    /// <param name="featuresVersion">The feature definition the weights were trained on; must be <see cref="CurrentFeaturesVersion"/>.</param>
    /// <param name="bucketBits">The hash size: 2^bits n-gram buckets (8 to 24).</param>
    /// <param name="bias">The intercept (log-odds).</param>
    /// <param name="indices">The buckets with a weight, strictly ascending, each below 2^<paramref name="bucketBits"/>.</param>
    /// <param name="weights">One weight per index.</param>
    /// <param name="lengthWeights">One weight per length feature (<see cref="LengthFeatureCount"/>).</param>
    /// <param name="lengthMeans">Per length feature, the mean subtracted before scaling.</param>
    /// <param name="lengthScales">Per length feature, the positive scale it is divided by.</param>
    /// <param name="threshold">Below this probability the router starts one tier higher (0..1).</param>
    /// <exception cref="ArgumentException">A parameter is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public PromptClassifier(
        int featuresVersion, int bucketBits, double bias, int[] indices, double[] weights, double[] lengthWeights, double[] lengthMeans, double[] lengthScales, double threshold)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(lengthWeights);
        ArgumentNullException.ThrowIfNull(lengthMeans);
        ArgumentNullException.ThrowIfNull(lengthScales);
        if (featuresVersion != CurrentFeaturesVersion)
        {
            throw new ArgumentException(Invariant($"Classifier features version {featuresVersion} is not known to this version of RoutedPrompts (it computes version {CurrentFeaturesVersion}); recalibrate the task."), nameof(featuresVersion));
        }

        if (bucketBits is < ClassifierFeatures.MinBucketBits or > ClassifierFeatures.MaxBucketBits)
        {
            throw new ArgumentException(Invariant($"bucketBits is {bucketBits}; it must be between {ClassifierFeatures.MinBucketBits} and {ClassifierFeatures.MaxBucketBits}."), nameof(bucketBits));
        }

        if (weights.Length != indices.Length)
        {
            throw new ArgumentException(Invariant($"weights has {weights.Length} elements but indices has {indices.Length}; give one weight per index."), nameof(weights));
        }

        for (var i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0 || indices[i] >= 1 << bucketBits || (i > 0 && indices[i] <= indices[i - 1]))
            {
                throw new ArgumentException(Invariant($"indices[{i}] is {indices[i]}; indices must be strictly ascending bucket numbers below 2^{bucketBits}."), nameof(indices));
            }
        }

        CheckLength(lengthWeights, nameof(lengthWeights));
        CheckLength(lengthMeans, nameof(lengthMeans));
        CheckLength(lengthScales, nameof(lengthScales));
        if (!double.IsFinite(bias) || Array.Exists(weights, w => !double.IsFinite(w)) || Array.Exists(lengthWeights, w => !double.IsFinite(w)) || Array.Exists(lengthMeans, w => !double.IsFinite(w)))
        {
            throw new ArgumentException("The bias, weights and length means must be finite numbers.", nameof(weights));
        }

        if (Array.Exists(lengthScales, s => !(s > 0) || !double.IsFinite(s)))
        {
            throw new ArgumentException("Every length scale must be a finite number above 0.", nameof(lengthScales));
        }

        if (threshold is < 0 or > 1 || double.IsNaN(threshold))
        {
            throw new ArgumentException(Invariant($"threshold is {threshold}; it must be between 0 and 1."), nameof(threshold));
        }

        FeaturesVersion = featuresVersion;
        BucketBits = bucketBits;
        Bias = bias;
        _indices = (int[])indices.Clone();
        _weights = (double[])weights.Clone();
        _lengthWeights = (double[])lengthWeights.Clone();
        _lengthMeans = (double[])lengthMeans.Clone();
        _lengthScales = (double[])lengthScales.Clone();
        Threshold = threshold;

        static void CheckLength(double[] values, string name)
        {
            if (values.Length != LengthFeatureCount)
            {
                throw new ArgumentException(Invariant($"{name} has {values.Length} elements; the features have {LengthFeatureCount} length features."), name);
            }
        }
    }

    /// <summary>The feature definition the weights were trained on.</summary>
    public int FeaturesVersion { get; }

    /// <summary>The hash size: 2^bits n-gram buckets.</summary>
    public int BucketBits { get; }

    /// <summary>The intercept (log-odds).</summary>
    public double Bias { get; }

    /// <summary>The buckets with a (non-zero) weight, ascending.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <summary>One weight per <see cref="Indices"/> entry.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>One weight per length feature.</summary>
    public IReadOnlyList<double> LengthWeights => _lengthWeights;

    /// <summary>Per length feature, the mean subtracted before scaling.</summary>
    public IReadOnlyList<double> LengthMeans => _lengthMeans;

    /// <summary>Per length feature, the scale it is divided by.</summary>
    public IReadOnlyList<double> LengthScales => _lengthScales;

    /// <summary>Below this probability the router starts the request one tier higher.</summary>
    public double Threshold { get; }

    /// <summary>
    /// The probability that the planned start tier's gated answer to <paramref name="messages"/> is accepted and correct.
    /// </summary>
    /// <param name="messages">The request's messages (the user messages' text is read).</param>
    /// <returns>A probability in 0..1.</returns>
    public double Predict(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var capacity = PromptFeatures.Capacity(messages);
        var buckets = ArrayPool<int>.Shared.Rent(capacity);
        var values = ArrayPool<double>.Shared.Rent(capacity);
        try
        {
            Span<double> length = stackalloc double[LengthFeatureCount];
            var count = PromptFeatures.Extract(messages, BucketBits, buckets, values, length);
            return Probability(buckets.AsSpan(0, count), values.AsSpan(0, count), length);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buckets);
            ArrayPool<double>.Shared.Return(values);
        }
    }

    /// <summary>Whether a request with this probability starts one tier higher (<paramref name="probability"/> below <see cref="Threshold"/>).</summary>
    /// <param name="probability">A probability from <see cref="Predict"/>.</param>
    /// <returns>Whether the classifier raises the start.</returns>
    public bool Raises(double probability) => probability < Threshold;

    /// <summary>The probability of extracted features (<see cref="PromptFeatures.Extract"/>), as <see cref="Predict"/> computes it.</summary>
    internal double Probability(ReadOnlySpan<int> buckets, ReadOnlySpan<double> values, ReadOnlySpan<double> length)
    {
        var z = Bias;
        var indices = _indices.AsSpan();
        for (var i = 0; i < buckets.Length; i++)
        {
            var at = indices.BinarySearch(buckets[i]);
            if (at >= 0)
            {
                z += _weights[at] * values[i];
            }
        }

        for (var j = 0; j < LengthFeatureCount; j++)
        {
            z += _lengthWeights[j] * ScaleLength(length[j], _lengthMeans[j], _lengthScales[j]);
        }

        return Sigmoid(z);
    }

    /// <summary>A length feature as the model reads it: standardised, clipped to ±<see cref="LengthClip"/>.</summary>
    internal static double ScaleLength(double value, double mean, double scale) => Math.Clamp((value - mean) / scale, -LengthClip, LengthClip);

    /// <summary>The logistic function.</summary>
    internal static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
