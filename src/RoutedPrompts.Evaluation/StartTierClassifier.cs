using System.Globalization;
using Microsoft.Extensions.AI;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>The outcome of training a task's start-tier classifier: the classifier, or none and why.</summary>
/// <param name="Classifier">The classifier to bake, or <see langword="null"/> when it is off.</param>
/// <param name="Reason">Why it is on or off, in words (with the cross-validated numbers when there are any).</param>
public sealed record ClassifierCalibration(PromptClassifier? Classifier, string Reason)
{
    /// <summary>The cascade alone, pooled over the out-of-fold examples, or <see langword="null"/> when no cross-validation ran.</summary>
    public CascadeStats? CascadeAlone { get; init; }

    /// <summary>Classifier → cascade, pooled out of fold (the classifier trained and its threshold chosen without the held-out examples), or <see langword="null"/>.</summary>
    public CascadeStats? WithClassifier { get; init; }

    /// <summary>Out of fold, the share of requests the classifier sent past the cascade's first tier.</summary>
    public double RaisedShare { get; init; }

    /// <summary>
    /// Out of fold, of the requests the classifier sent past the first tier, the share whose first-tier answer would
    /// not have been accepted and correct (the skip was right); compare <see cref="FailureRate"/>, the rate by chance.
    /// </summary>
    public double SkipPrecision { get; init; }

    /// <summary>The share of examples whose first-tier answer is not accepted and correct (what a random skip gets right).</summary>
    public double FailureRate { get; init; }

    /// <summary>The chosen regularisation, as a fraction of the smallest penalty that zeroes every weight, or <see langword="null"/>.</summary>
    public double? Regularisation { get; init; }
}

/// <summary>
/// Trains a task's start-tier classifier from its eval results: will the calibrated cascade's first tier give a gated
/// answer that is accepted (its calibrated threshold) and correct? A logistic regression (elastic net, mostly L1, so the
/// weights are sparse and reviewable in a diff) over the runtime's own features (<see cref="PromptClassifier"/>: hashed
/// n-grams of the user messages and length features); its regularisation chosen out of fold by log loss, its decision
/// threshold out of fold by the cascade's own target (the cheapest threshold whose accuracy drop against the top tier
/// stays within <see cref="CalibrationOptions.MaxAccuracyDrop"/>, or within the cascade alone's drop when that is
/// larger). It is on only when nested cross-validation (both choices repeated inside every fold) shows classifier →
/// cascade saving more than the cascade alone without a larger drop than that. Running it costs no model call (0 USD)
/// and microseconds per request. Deterministic: every shuffle is seeded from <see cref="CalibrationOptions.Seed"/>.
/// </summary>
public static class StartTierClassifier
{
    /// <summary>The hash size the trainer uses: 2^18 n-gram buckets.</summary>
    public const int BucketBits = 18;

    /// <summary>The fewest examples a classifier is trained on.</summary>
    public const int MinExamples = 30;

    /// <summary>The fewest examples of each kind (first tier right, first tier not) a classifier is trained on.</summary>
    public const int MinPerClass = 5;

    /// <summary>The share of the penalty that is L1 (the rest is L2): mostly L1, for sparse weights.</summary>
    internal const double L1Share = 0.9;

    /// <summary>Candidate penalties, as fractions of the smallest one that zeroes every weight; strongest first.</summary>
    internal static readonly double[] Penalties = [0.3, 0.1, 0.03];

    private const int MaxIterations = 120;

    /// <summary>The folds of the inner cross-validation that chooses the penalty and the threshold.</summary>
    private const int InnerFolds = 3;
    private const int ThresholdGrid = 20;

    /// <summary>Trains the classifier of a calibrated cascade.</summary>
    /// <param name="messages">Each example's messages (as the task's method sends them), in the order of <paramref name="examples"/>.</param>
    /// <param name="examples">The labelled observations the cascade was calibrated on.</param>
    /// <param name="cascade">The calibration (its chosen policy is what the classifier routes in front of).</param>
    /// <param name="options">The calibration's options (target, folds, seed), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the training (checked between fits).</param>
    /// <returns>The classifier, or none with the reason.</returns>
    /// <exception cref="ArgumentException">The messages and examples differ in number.</exception>
    public static ClassifierCalibration Train(
        IReadOnlyList<IReadOnlyList<ChatMessage>> messages, IReadOnlyList<CalibrationExample> examples, CalibrationResult cascade,
        CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(cascade);
        options ??= new CalibrationOptions();
        if (messages.Count != examples.Count)
        {
            throw new ArgumentException($"One message list per example: {messages.Count} message lists for {examples.Count} examples.", nameof(messages));
        }

        var policy = cascade.Policy;
        if (policy.Chain.Count < 2)
        {
            return new ClassifierCalibration(null, "off: the cascade has one tier, so there is no cheaper attempt to skip.");
        }

        var label = examples.Select(e => FirstTierRight(policy, e)).ToArray();
        var right = label.Count(l => l);
        if (examples.Count < MinExamples || right < MinPerClass || examples.Count - right < MinPerClass)
        {
            return new ClassifierCalibration(null, Format(
                $"off: too few examples to learn from ({examples.Count}; the first tier's answer is accepted and correct on {right}); it needs at least {MinExamples}, with at least {MinPerClass} of each kind."));
        }

        var rows = FeatureRows.Of(messages);
        var problem = new Problem(rows, label, examples, policy, Raised(policy), policy.Chain[^1], options.MaxAccuracyDrop, Math.Max(2, options.Folds));

        // Nested cross-validation: inside every outer fold the penalty and the threshold are chosen on the other folds only.
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        var folds = Math.Min(problem.Folds, examples.Count);
        var raised = new bool[examples.Count];
        for (var fold = 0; fold < folds; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var held = order.Where((_, i) => i % folds == fold).ToArray();
            var fit = order.Where((_, i) => i % folds != fold).ToArray();
            var (penalty, threshold) = problem.Choose(fit, unchecked(options.Seed + fold + 1), cancellationToken);
            var model = problem.Fit(fit, [penalty])[0];
            foreach (var row in held)
            {
                raised[row] = model.Probability(rows.Buckets[row], rows.Values[row], rows.Length[row]) < threshold;
            }
        }

        var alone = CascadeEvaluation.Evaluate(policy, examples, problem.Top);
        var with = CascadeEvaluation.Evaluate(i => raised[i] ? problem.RaisedPolicy : policy, examples, problem.Top);
        var raisedCount = raised.Count(r => r);
        var rightlyRaised = raised.Where((r, i) => r && !label[i]).Count();
        var ceiling = Math.Max(options.MaxAccuracyDrop, alone.AccuracyDrop);
        var evidence = Format(
            $"cross-validation ({folds} folds): classifier → cascade saves {with.Saving:P0} at a drop of {Points(with.AccuracyDrop)} against the cascade alone's {alone.Saving:P0} at {Points(alone.AccuracyDrop)} (target {Points(options.MaxAccuracyDrop)}); {(raisedCount == 0 ? "it sends no request past the first tier" : Format($"it sends {(double)raisedCount / examples.Count:P0} of requests past the first tier, rightly for {(double)rightlyRaised / raisedCount:P0} of them (by chance {(double)(examples.Count - right) / examples.Count:P0})"))}; the n-gram classifier itself costs 0 USD and microseconds per request");
        var result = new ClassifierCalibration(null, string.Empty)
        {
            CascadeAlone = alone,
            WithClassifier = with,
            RaisedShare = (double)raisedCount / examples.Count,
            SkipPrecision = raisedCount == 0 ? 0 : (double)rightlyRaised / raisedCount,
            FailureRate = (double)(examples.Count - right) / examples.Count,
        };
        if (!(with.Saving > alone.Saving + 1e-9) || with.AccuracyDrop > ceiling + 1e-12)
        {
            var why = with.AccuracyDrop > ceiling + 1e-12 ? "it loses more accuracy than allowed" : "it saves no more than the cascade alone";
            return result with { Reason = $"off: {why}; {evidence}." };
        }

        cancellationToken.ThrowIfCancellationRequested();
        var all = Enumerable.Range(0, examples.Count).ToArray();
        var (finalPenalty, finalThreshold) = problem.Choose(all, options.Seed, cancellationToken);
        if (finalThreshold <= 0)
        {
            return result with { Reason = $"off: on all the examples no threshold saves more than the cascade alone, although {evidence}." };
        }

        var classifier = Rounded(problem.Fit(all, [finalPenalty])[0], finalThreshold);
        return result with { Classifier = classifier, Regularisation = finalPenalty, Reason = $"on: {evidence}." };
    }

    /// <summary>The cascade a raised request runs: the policy without its first tier.</summary>
    /// <param name="policy">The calibrated cascade.</param>
    /// <returns>Its chain from the second member on.</returns>
    public static CascadePolicy Raised(CascadePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Chain.Count < 2 ? policy : new CascadePolicy(policy.Chain.Skip(1).ToArray(), policy.Thresholds.Skip(1).ToArray());
    }

    /// <summary>Classifier → cascade on examples (the replay's strategy): each request raised when the classifier's probability is below its threshold.</summary>
    /// <param name="policy">The calibrated cascade.</param>
    /// <param name="classifier">The classifier, or <see langword="null"/> (the cascade alone).</param>
    /// <param name="messages">Each example's messages.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="topTier">The index of the top tier.</param>
    /// <returns>The paired statistics (the classifier costs nothing).</returns>
    public static CascadeStats Evaluate(CascadePolicy policy, PromptClassifier? classifier, IReadOnlyList<IReadOnlyList<ChatMessage>> messages, IReadOnlyList<CalibrationExample> examples, int topTier)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(examples);
        var raised = Raised(policy);
        return CascadeEvaluation.Evaluate(i => classifier is not null && policy.Chain.Count > 1 && classifier.Raises(classifier.Predict(messages[i])) ? raised : policy, examples, topTier);
    }

    /// <summary>The label: the policy's first tier gives a gated answer that is accepted and correct.</summary>
    internal static bool FirstTierRight(CascadePolicy policy, CalibrationExample example)
    {
        var observation = example.Tiers[policy.Chain[0]];
        return observation.Answered && policy.Accepts(0, observation.Confidence) && observation.Correct;
    }

    /// <summary>The classifier with every number rounded to four significant digits (as the lock file keeps it), zero weights dropped.</summary>
    private static PromptClassifier Rounded(PromptClassifier model, double threshold)
    {
        var indices = new List<int>();
        var weights = new List<double>();
        for (var i = 0; i < model.Indices.Count; i++)
        {
            var weight = Round(model.Weights[i]);
            if (weight != 0)
            {
                indices.Add(model.Indices[i]);
                weights.Add(weight);
            }
        }

        return new PromptClassifier(
            model.FeaturesVersion, model.BucketBits, Round(model.Bias), [.. indices], [.. weights],
            model.LengthWeights.Select(Round).ToArray(), model.LengthMeans.Select(Round).ToArray(), model.LengthScales.Select(s => Math.Max(Round(s), 1e-6)).ToArray(),
            Math.Clamp(Round(threshold), 0, 1));
    }

    /// <summary>A number rounded to four significant digits (the nearest double to its four-digit decimal).</summary>
    internal static double Round(double value) => double.Parse(value.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Points(double drop) => string.Create(CultureInfo.InvariantCulture, $"{drop * 100:0.0} pts");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each example's features, as the runtime computes them.</summary>
    private sealed record FeatureRows(int[][] Buckets, double[][] Values, double[][] Length)
    {
        public static FeatureRows Of(IReadOnlyList<IReadOnlyList<ChatMessage>> messages)
        {
            var buckets = new int[messages.Count][];
            var values = new double[messages.Count][];
            var length = new double[messages.Count][];
            for (var i = 0; i < messages.Count; i++)
            {
                var capacity = PromptFeatures.Capacity(messages[i]);
                var b = new int[capacity];
                var v = new double[capacity];
                length[i] = new double[ClassifierFeatures.LengthCount];
                var count = PromptFeatures.Extract(messages[i], BucketBits, b, v, length[i]);
                buckets[i] = b[..count];
                values[i] = v[..count];
            }

            return new FeatureRows(buckets, values, length);
        }
    }

    /// <summary>One training problem: the features, labels and cascade, and the fits and choices made on subsets of it.</summary>
    private sealed record Problem(
        FeatureRows Rows, bool[] Label, IReadOnlyList<CalibrationExample> Examples, CascadePolicy Policy, CascadePolicy RaisedPolicy, int Top, double Target, int Folds)
    {
        /// <summary>The penalty (by out-of-fold log loss) and the threshold (by the target, out of fold) chosen on <paramref name="rows"/> alone.</summary>
        public (double Penalty, double Threshold) Choose(int[] rows, int seed, CancellationToken cancellationToken)
        {
            var order = (int[])rows.Clone();
            new Random(seed).Shuffle(order);
            var folds = Math.Min(InnerFolds, order.Length);
            var predicted = Penalties.Select(_ => new double[order.Length]).ToArray();
            for (var fold = 0; fold < folds; fold++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fit = order.Where((_, i) => i % folds != fold).ToArray();
                var models = Fit(fit, Penalties);
                for (var i = fold; i < order.Length; i += folds)
                {
                    for (var k = 0; k < models.Length; k++)
                    {
                        predicted[k][i] = models[k].Probability(Rows.Buckets[order[i]], Rows.Values[order[i]], Rows.Length[order[i]]);
                    }
                }
            }

            double[]? best = null;
            var bestLoss = double.PositiveInfinity;
            var bestPenalty = Penalties[0];
            for (var k = 0; k < Penalties.Length; k++)
            {
                var loss = 0d;
                for (var i = 0; i < order.Length; i++)
                {
                    var p = Math.Clamp(predicted[k][i], 1e-9, 1 - 1e-9);
                    loss -= Label[order[i]] ? Math.Log(p) : Math.Log(1 - p);
                }

                if (loss < bestLoss - 1e-9)
                {
                    (best, bestLoss, bestPenalty) = (predicted[k], loss, Penalties[k]);
                }
            }

            return (bestPenalty, Threshold(order, best!));
        }

        /// <summary>
        /// The threshold that saves most on <paramref name="order"/> given its out-of-fold probabilities, with a drop
        /// within the target (or the cascade alone's drop there, when larger); 0 (never raise) when none saves more.
        /// </summary>
        private double Threshold(int[] order, double[] probabilities)
        {
            var examples = order.Select(r => Examples[r]).ToArray();
            var alone = CascadeEvaluation.Evaluate(Policy, examples, Top);
            var ceiling = Math.Max(Target, alone.AccuracyDrop);
            var sorted = probabilities.Order().ToArray();
            var candidates = Enumerable.Range(1, ThresholdGrid).Select(i => sorted[Math.Min(sorted.Length - 1, (int)((double)i * sorted.Length / ThresholdGrid))])
                .Append(1.0).Distinct().Order().ToArray();
            var (bestThreshold, bestSaving) = (0d, alone.Saving);
            foreach (var threshold in candidates)
            {
                var stats = CascadeEvaluation.Evaluate(i => probabilities[i] < threshold ? RaisedPolicy : Policy, examples, Top);
                if (stats.AccuracyDrop <= ceiling + 1e-12 && stats.Saving > bestSaving + 1e-9)
                {
                    (bestThreshold, bestSaving) = (threshold, stats.Saving);
                }
            }

            return bestThreshold;
        }

        /// <summary>
        /// Fits the logistic regression on <paramref name="rows"/> at each penalty (strongest first, each fit starting
        /// from the one before) by accelerated proximal gradient (FISTA with restarts): mean log loss plus
        /// <c>penalty · λmax · (L1Share · |w|₁ + (1 − L1Share) / 2 · |w|²)</c>, the intercept free.
        /// </summary>
        public PromptClassifier[] Fit(int[] rows, IReadOnlyList<double> penalties)
        {
            var n = rows.Length;
            var columns = rows.SelectMany(r => Rows.Buckets[r]).Distinct().Order().ToArray();
            var m = columns.Length;
            var p = m + ClassifierFeatures.LengthCount;
            var index = new int[n][];
            var value = new double[n][];
            var means = new double[ClassifierFeatures.LengthCount];
            var scales = new double[ClassifierFeatures.LengthCount];
            for (var j = 0; j < ClassifierFeatures.LengthCount; j++)
            {
                var mean = rows.Average(r => Rows.Length[r][j]);
                var variance = rows.Average(r => (Rows.Length[r][j] - mean) * (Rows.Length[r][j] - mean));
                (means[j], scales[j]) = (mean, variance > 1e-12 ? Math.Sqrt(variance) : 1);
            }

            for (var i = 0; i < n; i++)
            {
                var r = rows[i];
                var buckets = Rows.Buckets[r];
                var local = new int[buckets.Length + ClassifierFeatures.LengthCount];
                var values = new double[buckets.Length + ClassifierFeatures.LengthCount];
                for (var k = 0; k < buckets.Length; k++)
                {
                    local[k] = Array.BinarySearch(columns, buckets[k]);
                    values[k] = Rows.Values[r][k];
                }

                for (var j = 0; j < ClassifierFeatures.LengthCount; j++)
                {
                    local[buckets.Length + j] = m + j;
                    values[buckets.Length + j] = PromptClassifier.ScaleLength(Rows.Length[r][j], means[j], scales[j]);
                }

                (index[i], value[i]) = (local, values);
            }

            var y = rows.Select(r => Label[r] ? 1d : 0d).ToArray();
            var meanY = y.Average();
            var gradient = new double[p];
            Gradient(index, value, y, Enumerable.Repeat(Math.Log(meanY / (1 - meanY)), n).ToArray(), gradient);
            var lambdaMax = Math.Max(1e-6, gradient.Max(Math.Abs) / L1Share);
            var step = 1 / (0.25 * 1.25 * LargestEigenvalue(index, value, p, n));
            var w = new double[p];
            var b = Math.Log(meanY / (1 - meanY));
            var margins = new double[n];
            var next = new double[p];
            var models = new PromptClassifier[penalties.Count];
            for (var path = 0; path < penalties.Count; path++)
            {
                var lambda = penalties[path] * lambdaMax;
                Descend(index, value, y, lambda, step, w, ref b, margins, gradient, next);
                var kept = Enumerable.Range(0, m).Where(j => w[j] != 0).ToArray();
                models[path] = new PromptClassifier(
                    ClassifierFeatures.Version, BucketBits, b, kept.Select(j => columns[j]).ToArray(), kept.Select(j => w[j]).ToArray(),
                    w[m..], means, scales, 0.5);
            }

            return models;
        }

        /// <summary>FISTA from (<paramref name="w"/>, <paramref name="b"/>) at one penalty, until the parameters move less than 1e-4.</summary>
        private static void Descend(int[][] index, double[][] value, double[] y, double lambda, double step, double[] w, ref double b, double[] margins, double[] gradient, double[] next)
        {
            var n = y.Length;
            var p = w.Length;
            var (wy, by) = ((double[])w.Clone(), b);
            var t = 1d;
            for (var iteration = 0; iteration < MaxIterations; iteration++)
            {
                for (var i = 0; i < n; i++)
                {
                    var z = by;
                    var ix = index[i];
                    var vx = value[i];
                    for (var k = 0; k < ix.Length; k++)
                    {
                        z += wy[ix[k]] * vx[k];
                    }

                    margins[i] = z;
                }

                var biasGradient = Gradient(index, value, y, margins, gradient);
                var change = 0d;
                for (var j = 0; j < p; j++)
                {
                    var u = wy[j] - (step * gradient[j]);
                    var shrunk = Math.Sign(u) * Math.Max(0, Math.Abs(u) - (step * lambda * L1Share));
                    next[j] = shrunk / (1 + (step * lambda * (1 - L1Share)));
                }

                var nextB = by - (step * biasGradient);
                var tNext = (1 + Math.Sqrt(1 + (4 * t * t))) / 2;
                var momentum = (t - 1) / tNext;
                var restart = 0d;
                for (var j = 0; j < p; j++)
                {
                    restart += (wy[j] - next[j]) * (next[j] - w[j]);
                }

                if (restart > 0)
                {
                    (momentum, tNext) = (0, 1); // the momentum points uphill: restart it
                }

                for (var j = 0; j < p; j++)
                {
                    change = Math.Max(change, Math.Abs(next[j] - w[j]));
                    wy[j] = next[j] + (momentum * (next[j] - w[j]));
                    w[j] = next[j];
                }

                by = nextB + (momentum * (nextB - b));
                change = Math.Max(change, Math.Abs(nextB - b));
                b = nextB;
                t = tNext;
                if (change < 1e-4)
                {
                    break;
                }
            }
        }

        /// <summary>The mean log loss's gradient at <paramref name="margins"/> into <paramref name="gradient"/>; returns the intercept's.</summary>
        private static double Gradient(int[][] index, double[][] value, double[] y, double[] margins, double[] gradient)
        {
            Array.Clear(gradient);
            var n = y.Length;
            var bias = 0d;
            for (var i = 0; i < n; i++)
            {
                var residual = (PromptClassifier.Sigmoid(margins[i]) - y[i]) / n;
                bias += residual;
                var ix = index[i];
                var vx = value[i];
                for (var k = 0; k < ix.Length; k++)
                {
                    gradient[ix[k]] += residual * vx[k];
                }
            }

            return bias;
        }

        /// <summary>The largest eigenvalue of XᵀX / n (the intercept's column included), by power iteration from a fixed start: the step size's scale.</summary>
        private static double LargestEigenvalue(int[][] index, double[][] value, int p, int n)
        {
            var v = Enumerable.Repeat(1 / Math.Sqrt(p + 1), p + 1).ToArray();
            var u = new double[n];
            var estimate = 1d;
            for (var iteration = 0; iteration < 15; iteration++)
            {
                for (var i = 0; i < n; i++)
                {
                    var z = v[p];
                    for (var k = 0; k < index[i].Length; k++)
                    {
                        z += v[index[i][k]] * value[i][k];
                    }

                    u[i] = z;
                }

                var next = new double[p + 1];
                for (var i = 0; i < n; i++)
                {
                    next[p] += u[i] / n;
                    for (var k = 0; k < index[i].Length; k++)
                    {
                        next[index[i][k]] += u[i] * value[i][k] / n;
                    }
                }

                estimate = Math.Sqrt(next.Sum(x => x * x));
                if (estimate <= 0)
                {
                    return 1;
                }

                for (var j = 0; j <= p; j++)
                {
                    v[j] = next[j] / estimate;
                }
            }

            return Math.Max(estimate, 1e-6);
        }
    }
}
