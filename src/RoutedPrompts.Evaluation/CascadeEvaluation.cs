namespace RoutedPrompts.Evaluation;

/// <summary>
/// Scores a <see cref="CascadePolicy"/> on labelled observations with the router's semantics (visit the chain in order,
/// escalate past a missing or gate-failed answer, accept at the first member whose confidence gate passes, pay for every
/// attempt). Used to fit thresholds; reported numbers come from routing through the product's own router.
/// </summary>
public static class CascadeEvaluation
{
    /// <summary>The outcome of one example under a policy.</summary>
    /// <param name="Correct">Whether the accepted answer is correct (false when no member answered).</param>
    /// <param name="CostUsd">The total cost of the attempts made.</param>
    /// <param name="AcceptedPosition">The chain position that answered, or -1 when none did.</param>
    public readonly record struct Outcome(bool Correct, double CostUsd, int AcceptedPosition);

    /// <summary>Runs one example through a policy.</summary>
    /// <param name="policy">The cascade.</param>
    /// <param name="example">The example.</param>
    /// <returns>The outcome.</returns>
    public static Outcome Run(CascadePolicy policy, CalibrationExample example)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(example);
        var cost = 0d;
        for (var position = 0; position < policy.Chain.Count; position++)
        {
            var observation = example.Tiers[policy.Chain[position]];
            cost += observation.CostUsd;
            if (observation.Answered && policy.Accepts(position, observation.Confidence))
            {
                return new Outcome(observation.Correct, cost, position);
            }
        }

        return new Outcome(false, cost, -1);
    }

    /// <summary>Scores a policy on examples, paired against the top tier (<paramref name="topTier"/>) alone.</summary>
    /// <param name="policy">The cascade.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="topTier">The index of the top tier.</param>
    /// <returns>The paired statistics.</returns>
    public static CascadeStats Evaluate(CascadePolicy policy, IReadOnlyList<CalibrationExample> examples, int topTier)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Evaluate(_ => policy, examples, topTier);
    }

    /// <summary>Scores examples each routed by its own policy (a start-tier classifier chooses one per request), paired against the top tier alone.</summary>
    /// <param name="policyOf">The policy of the example at an index.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="topTier">The index of the top tier.</param>
    /// <returns>The paired statistics.</returns>
    public static CascadeStats Evaluate(Func<int, CascadePolicy> policyOf, IReadOnlyList<CalibrationExample> examples, int topTier)
    {
        ArgumentNullException.ThrowIfNull(policyOf);
        ArgumentNullException.ThrowIfNull(examples);
        int correct = 0, topCorrect = 0, escalated = 0, b = 0, c = 0;
        double cost = 0, topCost = 0;
        for (var i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            var outcome = Run(policyOf(i), example);
            var top = example.Tiers[topTier];
            var topRight = top.Answered && top.Correct;
            correct += outcome.Correct ? 1 : 0;
            topCorrect += topRight ? 1 : 0;
            cost += outcome.CostUsd;
            topCost += top.CostUsd;
            escalated += outcome.AcceptedPosition != 0 ? 1 : 0;
            b += topRight && !outcome.Correct ? 1 : 0;
            c += !topRight && outcome.Correct ? 1 : 0;
        }

        var n = Math.Max(1, examples.Count);
        return new CascadeStats(examples.Count, (double)correct / n, (double)topCorrect / n, cost / n, topCost / n, (double)escalated / n, b, c);
    }
}
