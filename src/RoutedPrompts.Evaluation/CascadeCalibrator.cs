using System.Globalization;

namespace RoutedPrompts.Evaluation;

/// <summary>Options of <see cref="CascadeCalibrator"/>.</summary>
public sealed record CalibrationOptions
{
    /// <summary>The quality target: the cascade may lose at most this much accuracy against the top tier (default 0.01, one point).</summary>
    public double MaxAccuracyDrop { get; init; } = 0.01;

    /// <summary>Folds of the cross-validation that picks how conservative the bound is (default 5).</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Repetitions of the cross-validation with different shuffles (default 4).</summary>
    public int Repeats { get; init; } = 4;

    /// <summary>Seed of the shuffles, so calibration is deterministic.</summary>
    public int Seed { get; init; } = 20261129;

    /// <summary>
    /// Candidate bound multipliers (one-sided standard errors above the estimated drop), least conservative first. Cross-
    /// validation picks the least conservative one that holds out of fold. Default 0–3 (0 still carries the Agresti–Min half-pair adjustment).
    /// </summary>
    public IReadOnlyList<double> BoundMultipliers { get; init; } = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0];

    /// <summary>
    /// How the accuracy lost against the top tier is estimated. <see cref="DropEstimator.ShrunkNet"/> (the default)
    /// counts the cascade's losses (top tier right, cascade wrong) minus its wins (top tier wrong, cascade right)
    /// weighted by a factor chosen by cross-validation, and never credits the wins of a tier that beats the top tier
    /// on the data a selection is fitted to. <see cref="DropEstimator.LossOnly"/> never credits wins;
    /// <see cref="DropEstimator.Net"/> credits them in full.
    /// </summary>
    public DropEstimator Estimator { get; init; } = DropEstimator.ShrunkNet;

    /// <summary>
    /// Candidate weights of a cheaper tier's win over the top tier (cascade right, top tier wrong) against a loss under
    /// <see cref="DropEstimator.ShrunkNet"/>, chosen together with the bound multiplier by cross-validation (default
    /// 0, 0.25, 0.5, 0.75, 1). A weight below one shrinks the credited wins towards zero: a loss of the cascade is
    /// paid for certain, a win is a bet that the top tier's errors on the calibration set recur elsewhere.
    /// </summary>
    public IReadOnlyList<double> WinCredits { get; init; } = [0.0, 0.25, 0.5, 0.75, 1.0];

    /// <summary>The most tiers a cascade may visit (the runtime has three: Small, Medium, Large).</summary>
    public int MaxChainLength { get; init; } = 3;

    /// <summary>
    /// Whether the chain may skip candidate tiers (choosing which models serve as tiers, for recorded runs). When
    /// <see langword="false"/> (a task's configured tiers) the chain is every tier from its start to the top.
    /// </summary>
    public bool AllowSkippingTiers { get; init; } = true;

    /// <summary>Candidate thresholds per tier: quantiles of the tier's confidence on the calibration data (default 20).</summary>
    public int ThresholdGridSize { get; init; } = 20;

    /// <summary>
    /// How many further cross-validation shuffles (seeds <see cref="Seed"/> + 1, + 2, …) re-run the whole calibration to
    /// check whether its choice depends on how the examples happened to be split into folds (default 3; 0 turns the
    /// check off). The choice itself always comes from <see cref="Seed"/>; when a further shuffle chooses otherwise the
    /// reason says so (<see cref="CalibrationResult.Stability"/>): the eval set is too small to settle the decision.
    /// </summary>
    public int StabilitySeeds { get; init; } = 3;
}

/// <summary>Whether a calibration's choice survives other cross-validation shuffles.</summary>
/// <param name="Shuffles">Further shuffles run (<see cref="CalibrationOptions.StabilitySeeds"/>).</param>
/// <param name="Alternatives">The cascades the further shuffles chose that differ from the chosen one, with their in-sample statistics (one entry per differing shuffle).</param>
public sealed record CalibrationStability(int Shuffles, IReadOnlyList<(CascadePolicy Policy, CascadeStats Train)> Alternatives)
{
    /// <summary>Whether every further shuffle chose the same cascade.</summary>
    public bool IsStable => Alternatives.Count == 0;
}

/// <summary>How calibration estimates a cascade's accuracy loss against the top tier.</summary>
public enum DropEstimator
{
    /// <summary>Only losses: examples the top tier got right and the cascade wrong (conservative).</summary>
    LossOnly = 0,

    /// <summary>The paired net drop: losses minus examples the cascade got right and the top tier wrong.</summary>
    Net = 1,

    /// <summary>
    /// The paired net drop with wins shrunk: losses minus a weight times the wins, the weight (one of
    /// <see cref="CalibrationOptions.WinCredits"/>) chosen by cross-validation. A tier more accurate than the top tier
    /// on the data a selection is fitted to gets no credit for its wins at all.
    /// </summary>
    ShrunkNet = 2,
}

/// <summary>The outcome of a calibration: the chosen cascade, the evidence, and the eval gate's decision.</summary>
/// <param name="Policy">The chosen cascade (the top tier alone when no cheaper tier earns traffic).</param>
/// <param name="Train">The cascade's in-sample statistics on all calibration data.</param>
/// <param name="CrossValidated">Out-of-fold statistics of the whole selection procedure at the chosen bound, or <see langword="null"/>.</param>
/// <param name="BoundMultiplier">The chosen bound multiplier, or <see langword="null"/> when no multiplier held out of fold.</param>
/// <param name="UpperBound">The chosen cascade's upper bound on the accuracy drop at <paramref name="BoundMultiplier"/>.</param>
/// <param name="StartTier">The candidate tier the eval gate lets start (the chain's first member).</param>
/// <param name="CheapestEarnsTraffic">Whether the cheapest candidate tier starts the cascade.</param>
/// <param name="Reason">Why the gate decided as it did, in words.</param>
public sealed record CalibrationResult(
    CascadePolicy Policy, CascadeStats Train, CascadeStats? CrossValidated, double? BoundMultiplier, double UpperBound,
    int StartTier, bool CheapestEarnsTraffic, string Reason)
{
    /// <summary>The out-of-fold statistics of every candidate win weight and bound multiplier, in the options' order.</summary>
    public IReadOnlyList<(double WinCredit, double Z, CascadeStats Stats)> CrossValidation { get; init; } = [];

    /// <summary>The weight the chosen selection gives a cheaper tier's win against a loss (0 counts losses only).</summary>
    public double WinCredit { get; init; }

    /// <summary>What further cross-validation shuffles chose, or <see langword="null"/> when the check is off.</summary>
    public CalibrationStability? Stability { get; init; }
}

/// <summary>
/// Chooses a cascade (which candidate tiers serve, ending at the top tier, and each one's confidence threshold) so that
/// the accuracy target holds <em>out of sample</em>, and makes the eval gate's decision.
/// </summary>
/// <remarks>
/// <para>
/// The raw optimum of the calibration set (the cheapest cascade whose in-sample accuracy meets the target) overfits:
/// among hundreds of candidate thresholds some meet the target by luck. Instead a candidate qualifies only when an
/// upper confidence bound on its paired accuracy drop against the top tier (<see cref="Statistics.PairedDropUpperBound"/>,
/// <c>z</c> standard errors above the estimate) is within the target; the cheapest qualifying candidate wins, and the
/// top tier alone when none qualifies.
/// </para>
/// <para>
/// The estimated drop is the target's own quantity, the paired net difference (losses minus wins), with the wins
/// shrunk by a weight <c>w</c> in 0..1 (<see cref="DropEstimator.ShrunkNet"/>): <c>w = 0</c> counts losses only,
/// <c>w = 1</c> is the plain net drop. A tier that is more accurate than the top tier on the data a selection is
/// fitted to gets no credit for its wins (the data contradicts the premise that the top tier is the reference).
/// </para>
/// <para>
/// How much to credit wins (<c>w</c>) and how conservative the bound is (<c>z</c>) are chosen by repeated K-fold
/// cross-validation on the calibration data: the whole selection (threshold grid, chain choice, win weight, bound) is
/// run on K-1 folds and scored on the held-out fold by the target's definition (the net accuracy difference). Per
/// <c>w</c>, the smallest <c>z</c> whose pooled out-of-fold drop meets the target — and so does every larger
/// <c>z</c> — qualifies; of the qualifying pairs the one with the largest out-of-fold saving is used on all the data.
/// When none qualifies, the top tier serves alone.
/// </para>
/// </remarks>
public sealed class CascadeCalibrator
{
    private readonly CalibrationOptions _options;

    /// <summary>Creates a calibrator.</summary>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public CascadeCalibrator(CalibrationOptions? options = null)
    {
        _options = options ?? new CalibrationOptions();
        if (_options.WinCredits.Count == 0 || _options.WinCredits.Any(w => w is < 0 or > 1))
        {
            throw new ArgumentException("WinCredits must hold at least one weight, each between 0 and 1.", nameof(options));
        }

        if (_options.Folds < 2 || _options.Repeats < 1 || _options.MaxChainLength < 1 || _options.ThresholdGridSize < 1 || _options.BoundMultipliers.Count == 0 || _options.StabilitySeeds < 0)
        {
            throw new ArgumentException("Calibration needs at least 2 folds, 1 repeat, chains of at least 1 tier, a threshold grid, a bound multiplier and no negative number of stability seeds.", nameof(options));
        }
    }

    /// <summary>Calibrates on labelled examples.</summary>
    /// <param name="examples">Examples; each has one observation per candidate tier, cheapest first, top last.</param>
    /// <param name="tierNames">Names of the candidate tiers, for the reason.</param>
    /// <param name="cancellationToken">Stops the calibration (checked between cross-validation folds).</param>
    /// <returns>The chosen cascade and the gate's decision.</returns>
    /// <exception cref="ArgumentException">No examples, or examples with a different number of tiers than names.</exception>
    public CalibrationResult Calibrate(IReadOnlyList<CalibrationExample> examples, IReadOnlyList<string> tierNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(tierNames);
        if (examples.Count == 0 || tierNames.Count == 0 || examples.Any(e => e.Tiers.Count != tierNames.Count))
        {
            throw new ArgumentException($"Calibration needs examples with one observation per tier ({tierNames.Count}).", nameof(examples));
        }

        var result = CalibrateOnce(examples, tierNames, cancellationToken);
        if (result.Policy.Chain.Count > 1 && examples.Count * _options.MaxAccuracyDrop < 1)
        {
            // One wrong answer moves accuracy by more than the whole target: the data cannot tell the target from zero.
            result = result with
            {
                Reason = result.Reason + Format($" Thin evidence: with {examples.Count} examples a single wrong answer is {Points(1.0 / examples.Count)}, more than the target of {Points(_options.MaxAccuracyDrop)}; add examples (at least {(int)Math.Ceiling(1 / _options.MaxAccuracyDrop)}) before trusting this."),
            };
        }

        if (_options.StabilitySeeds == 0)
        {
            return result;
        }

        // The same calibration on other shuffles of the same examples: a different choice means the folds, not the
        // data, decided, and the user should know (more examples settle it).
        var alternatives = new List<(CascadePolicy Policy, CascadeStats Train)>();
        for (var i = 1; i <= _options.StabilitySeeds; i++)
        {
            var other = new CascadeCalibrator(_options with { Seed = unchecked(_options.Seed + i), StabilitySeeds = 0 }).CalibrateOnce(examples, tierNames, cancellationToken);
            if (!Same(other.Policy, result.Policy))
            {
                alternatives.Add((other.Policy, other.Train));
            }
        }

        var stability = new CalibrationStability(_options.StabilitySeeds, alternatives);
        if (stability.IsStable)
        {
            return result with { Stability = stability };
        }

        var described = alternatives
            .GroupBy(a => a.Policy.ToString(), StringComparer.Ordinal)
            .Select(g => Format($"{Describe(g.First().Policy, tierNames)}, losing {Points(g.First().Train.AccuracyDrop)} in sample at {g.First().Train.Saving:P0} less cost"));
        var warning = Format($" Unsettled: {alternatives.Count} of {_options.StabilitySeeds} other cross-validation shuffles choose otherwise ({string.Join("; ", described)}); the eval set is too small to decide between them, and more examples would settle it.");
        return result with { Stability = stability, Reason = result.Reason + warning };

        static bool Same(CascadePolicy a, CascadePolicy b) => a.Chain.SequenceEqual(b.Chain) && a.Thresholds.SequenceEqual(b.Thresholds);
    }

    private static string Describe(CascadePolicy policy, IReadOnlyList<string> tierNames) => string.Join(" -> ", policy.Chain.Select((tier, i) =>
        policy.Thresholds[i] is { } t ? Format($"{tierNames[tier]} (>= {t:0.###})") : tierNames[tier]));

    private CalibrationResult CalibrateOnce(IReadOnlyList<CalibrationExample> examples, IReadOnlyList<string> tierNames, CancellationToken cancellationToken)
    {
        var top = tierNames.Count - 1;
        var topOnly = new CascadePolicy([top], [null]);
        var credits = Credits;
        var zs = _options.BoundMultipliers;
        var crossValidated = CrossValidate(examples, top, cancellationToken);
        var chosen = -1;
        for (var c = 0; c < credits.Count; c++)
        {
            // Per win weight, the least conservative bound that holds the target out of fold, as does every larger one.
            for (var i = 0; i < zs.Count; i++)
            {
                if (Enumerable.Range(i, zs.Count - i).All(j => crossValidated[(c * zs.Count) + j].AccuracyDrop <= _options.MaxAccuracyDrop))
                {
                    var index = (c * zs.Count) + i;
                    if (chosen < 0 || crossValidated[index].Saving > crossValidated[chosen].Saving)
                    {
                        chosen = index;
                    }

                    break;
                }
            }
        }

        var target = _options.MaxAccuracyDrop;
        var table = credits.SelectMany(w => zs.Select(z => (w, z))).Zip(crossValidated, (s, stats) => (s.w, s.z, stats)).ToArray();
        if (chosen < 0)
        {
            var stats = CascadeEvaluation.Evaluate(topOnly, examples, top);
            var worst = crossValidated[^1];
            return new CalibrationResult(topOnly, stats, worst, null, 0, top, top == 0,
                Format($"{tierNames[top]} serves alone: even the most conservative bound (z={zs[^1]}) loses {Points(worst.AccuracyDrop)} out of fold in cross-validation, more than the target of {Points(target)}.")) { CrossValidation = table };
        }

        var credit = credits[chosen / zs.Count];
        var z = zs[chosen % zs.Count];
        var candidates = Candidates(examples, Enumerable.Range(0, examples.Count).ToArray(), top);
        var (policy, bound) = Select(candidates, credit, z, top);
        var train = CascadeEvaluation.Evaluate(policy, examples, top);
        var cv = crossValidated[chosen];
        var start = policy.Chain[0];
        var chainText = string.Join(" -> ", policy.Chain.Select(i => tierNames[i]));
        string reason;
        if (start == top)
        {
            reason = Format($"{tierNames[top]} serves alone: no cheaper cascade keeps the upper bound (z={z}) on the accuracy drop within {Points(target)}.");
        }
        else
        {
            var all = examples.ToArray();
            var uncredited = policy.Chain.Where(t => t != top && !Guard(all, t, top)).Select(t => tierNames[t]).ToArray();
            var exception = credit > 0 && uncredited.Length > 0
                ? $" except those of {string.Join(" and ", uncredited)}, more accurate than {tierNames[top]} on the calibration data"
                : string.Empty;
            var evidence = Format($"cascade {chainText} loses {Points(train.AccuracyDrop)} in sample (upper bound {Points(bound)} at z={z}, {EstimatorName(credit)}{exception}; {Points(cv.AccuracyDrop)} out of fold) against a target of {Points(target)}, at {train.Saving:P0} less cost than {tierNames[top]}");
            reason = start == 0
                ? $"{tierNames[0]} earns the traffic: {evidence}."
                : $"{tierNames[0]} does not earn the traffic (no cascade starting there holds the target); start at {tierNames[start]}: {evidence}.";
        }

        return new CalibrationResult(policy, train, cv, z, bound, start, start == 0, reason) { CrossValidation = table, WinCredit = credit };
    }

    /// <summary>Every cascade the options allow, with its paired statistics on <paramref name="rows"/>.</summary>
    internal List<Candidate> Candidates(IReadOnlyList<CalibrationExample> examples, int[] rows, int top)
    {
        var subset = rows.Select(r => examples[r]).ToArray();
        var grids = Enumerable.Range(0, top).Select(tier => Grid(subset, tier)).ToArray();
        var curves = new Dictionary<string, (LogisticCurve Loss, LogisticCurve Win)>(StringComparer.Ordinal);
        var credits = Enumerable.Range(0, top).Select(tier => Guard(subset, tier, top) ? 1.0 : 0.0).ToArray();
        var result = new List<Candidate>();
        foreach (var members in Chains(top))
        {
            foreach (var thresholds in Combinations(members.Select(m => grids[m]).ToArray()))
            {
                var policy = new CascadePolicy([.. members, top], [.. thresholds, null]);
                var stats = CascadeEvaluation.Evaluate(policy, subset, top);
                var (losses, wins) = Expected(policy, subset, top, curves, credits);
                result.Add(new Candidate(policy, stats, losses, wins));
            }
        }

        return result;
    }

    /// <summary>
    /// Whether <paramref name="tier"/>'s wins over the top tier may be credited at all: under
    /// <see cref="DropEstimator.ShrunkNet"/> not when the tier is more accurate than the top tier on these examples
    /// (the data then contradicts the premise that the top tier is the reference, and the top tier's errors there
    /// are no evidence of how often it errs elsewhere).
    /// </summary>
    private bool Guard(CalibrationExample[] examples, int tier, int top)
    {
        if (_options.Estimator != DropEstimator.ShrunkNet)
        {
            return true;
        }

        int tierRight = 0, topRight = 0;
        foreach (var example in examples)
        {
            tierRight += example.Tiers[tier] is { Answered: true, Correct: true } ? 1 : 0;
            topRight += example.Tiers[top] is { Answered: true, Correct: true } ? 1 : 0;
        }

        return tierRight <= topRight;
    }

    /// <summary>A candidate cascade with its raw statistics and its (possibly smoothed) loss and win counts.</summary>
    internal sealed record Candidate(CascadePolicy Policy, CascadeStats Stats, double Losses, double Wins);

    /// <summary>
    /// Expected losses and wins against the top tier: on each non-top member's accepted slice, the sum of a logistic
    /// curve of that member's confidence fitted on the examples that reach it (raw outcomes where there is no signal).
    /// </summary>
    private static (double Losses, double Wins) Expected(
        CascadePolicy policy, CalibrationExample[] examples, int top, Dictionary<string, (LogisticCurve Loss, LogisticCurve Win)> curves,
        double[] credits)
    {
        double losses = 0, wins = 0;
        var reaching = examples;
        for (var position = 0; position < policy.Chain.Count - 1; position++)
        {
            var tier = policy.Chain[position];
            (LogisticCurve Loss, LogisticCurve Win) curve = default;
            var key = string.Join('|', Enumerable.Range(0, position).Select(p => $"{policy.Chain[p]}:{policy.Thresholds[p]:R}")) + "|" + tier;
            if (!curves.TryGetValue(key, out curve))
            {
                var fit = reaching.Where(e => e.Tiers[tier].Answered && e.Tiers[tier].Confidence is not null).ToArray();
                var x = fit.Select(e => LogisticCurve.Feature(e.Tiers[tier].Confidence!.Value)).ToArray();
                curve = (LogisticCurve.Fit(x, fit.Select(e => Loss(e, tier, top)).ToArray()),
                         LogisticCurve.Fit(x, fit.Select(e => Win(e, tier, top)).ToArray()));
                curves[key] = curve;
            }

            var next = new List<CalibrationExample>();
            foreach (var example in reaching)
            {
                var observation = example.Tiers[tier];
                if (!observation.Answered || !policy.Accepts(position, observation.Confidence))
                {
                    next.Add(example);
                    continue;
                }

                if (observation.Confidence is { } confidence)
                {
                    var feature = LogisticCurve.Feature(confidence);
                    losses += curve.Loss.At(feature);
                    wins += credits[tier] * curve.Win.At(feature);
                }
                else
                {
                    losses += Loss(example, tier, top) ? 1 : 0;
                    wins += Win(example, tier, top) ? credits[tier] : 0;
                }
            }

            reaching = [.. next];
        }

        return (losses, wins);

        static bool Loss(CalibrationExample e, int tier, int top) => e.Tiers[top] is { Answered: true, Correct: true } && !e.Tiers[tier].Correct;
        static bool Win(CalibrationExample e, int tier, int top) => e.Tiers[top] is not { Answered: true, Correct: true } && e.Tiers[tier].Correct;
    }

    /// <summary>The cheapest candidate whose drop bound meets the target; the top tier alone when none does.</summary>
    internal (CascadePolicy Policy, double Bound) Select(List<Candidate> candidates, double credit, double z, int top)
    {
        (CascadePolicy Policy, double Bound, double Cost)? best = null;
        foreach (var (policy, stats, losses, wins) in candidates)
        {
            // A cascade that costs as much as the top tier alone (its cheaper tiers rarely answer, yet every request
            // pays for them) never beats serving the top tier alone, whatever its bound.
            var bound = Bound(losses, credit * wins, stats.Examples, z);
            if (bound <= _options.MaxAccuracyDrop && stats.CostPerRequestUsd < (best?.Cost ?? stats.TopCostPerRequestUsd))
            {
                best = (policy, bound, stats.CostPerRequestUsd);
            }
        }

        return best is { } b ? (b.Policy, b.Bound) : (new CascadePolicy([top], [null]), 0);
    }

    /// <summary>The upper bound on the estimated accuracy loss at <paramref name="z"/>.</summary>
    internal static double Bound(double losses, double creditedWins, int examples, double z) => Statistics.PairedDropUpperBound(
        losses, creditedWins, examples, z);

    /// <summary>The candidate weights of a win against a loss under the options' estimator.</summary>
    private IReadOnlyList<double> Credits => _options.Estimator switch
    {
        DropEstimator.Net => [1.0],
        DropEstimator.ShrunkNet => _options.WinCredits,
        _ => [0.0],
    };

    /// <summary>Pooled out-of-fold statistics of the selection procedure, per bound multiplier.</summary>
    private CascadeStats[] CrossValidate(IReadOnlyList<CalibrationExample> examples, int top, CancellationToken cancellationToken)
    {
        var settings = Credits.SelectMany(w => _options.BoundMultipliers.Select(z => (W: w, Z: z))).ToArray();
        var k = settings.Length;
        var outcomes = Enumerable.Range(0, k).Select(_ => new List<CalibrationExample>()).ToArray();
        var policies = Enumerable.Range(0, k).Select(_ => new List<CascadePolicy>()).ToArray();
        var random = new Random(_options.Seed);
        var folds = Math.Min(_options.Folds, examples.Count);
        for (var repeat = 0; repeat < _options.Repeats; repeat++)
        {
            var order = Enumerable.Range(0, examples.Count).ToArray();
            random.Shuffle(order);
            for (var fold = 0; fold < folds; fold++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var held = order.Where((_, i) => i % folds == fold).ToArray();
                var fit = order.Where((_, i) => i % folds != fold).ToArray();
                var candidates = Candidates(examples, fit, top);
                for (var j = 0; j < k; j++)
                {
                    var (policy, _) = Select(candidates, settings[j].W, settings[j].Z, top);
                    foreach (var row in held)
                    {
                        outcomes[j].Add(examples[row]);
                        policies[j].Add(policy);
                    }
                }
            }
        }

        return Enumerable.Range(0, k).Select(j => Pooled(outcomes[j], policies[j], top)).ToArray();
    }

    private static CascadeStats Pooled(List<CalibrationExample> examples, List<CascadePolicy> policies, int top)
    {
        var parts = examples.Select((e, i) => CascadeEvaluation.Evaluate(policies[i], [e], top)).ToArray();
        return new CascadeStats(
            parts.Length,
            parts.Average(p => p.Accuracy),
            parts.Average(p => p.TopAccuracy),
            parts.Average(p => p.CostPerRequestUsd),
            parts.Average(p => p.TopCostPerRequestUsd),
            parts.Average(p => p.EscalationRate),
            parts.Sum(p => p.TopRightCascadeWrong),
            parts.Sum(p => p.TopWrongCascadeRight));
    }

    private IEnumerable<int[]> Chains(int top)
    {
        if (!_options.AllowSkippingTiers)
        {
            for (var start = Math.Max(0, top - _options.MaxChainLength + 1); start < top; start++)
            {
                yield return Enumerable.Range(start, top - start).ToArray();
            }

            yield break;
        }

        // Every ascending subset of the cheaper tiers with at most MaxChainLength - 1 members.
        for (var mask = 1; mask < 1 << top; mask++)
        {
            var members = Enumerable.Range(0, top).Where(i => (mask & (1 << i)) != 0).ToArray();
            if (members.Length < _options.MaxChainLength)
            {
                yield return members;
            }
        }
    }

    /// <summary>Candidate thresholds of one tier: quantiles of its confidence (null alone when it has no signal).</summary>
    private double?[] Grid(CalibrationExample[] examples, int tier)
    {
        var values = examples.Select(e => e.Tiers[tier]).Where(o => o.Answered && o.Confidence is not null)
            .Select(o => o.Confidence!.Value).Order().ToArray();
        if (values.Length == 0)
        {
            return [null];
        }

        var size = _options.ThresholdGridSize;
        return Enumerable.Range(0, size)
            .Select(i => values[(int)Math.Min(values.Length - 1, Math.Floor((double)i * values.Length / size))])
            .Distinct()
            .Select(v => (double?)v)
            .ToArray();
    }

    private static IEnumerable<double?[]> Combinations(double?[][] grids)
    {
        if (grids.Length == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var rest in Combinations(grids[1..]))
        {
            foreach (var value in grids[0])
            {
                yield return [value, .. rest];
            }
        }
    }

    private static string EstimatorName(double credit) => credit switch
    {
        0 => "losses only, wins not credited",
        1 => "net of the cheaper tiers' wins",
        _ => Format($"wins credited at {credit}"),
    };

    private static string Points(double drop) => string.Create(CultureInfo.InvariantCulture, $"{drop * 100:0.0} pts");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
