namespace RoutedPrompts.Evaluation;

/// <summary>What one tier (or model) did on one example, as the product's gates saw it, plus its score.</summary>
/// <param name="Answered">
/// Whether the tier produced an answer that passed every gate except the confidence gate (a provider error, a missing
/// recording or a failed text/JSON/schema gate is <see langword="false"/>: the router escalates past it).
/// </param>
/// <param name="Confidence">The answer's confidence (0..1) as the router reads it, or <see langword="null"/> without a signal.</param>
/// <param name="Correct">Whether the answer is correct (scoring only; never used to route).</param>
/// <param name="CostUsd">What the attempt cost, whether or not it was accepted.</param>
public readonly record struct TierObservation(bool Answered, double? Confidence, bool Correct, double CostUsd)
{
    /// <summary>An attempt that produced no usable answer (and cost nothing).</summary>
    public static TierObservation Missing { get; } = new(false, null, false, 0);
}

/// <summary>One labelled example: an observation per candidate tier, in the calibrator's tier order (cheapest first, top last).</summary>
/// <param name="Id">The example's id (for messages).</param>
/// <param name="Tiers">One observation per candidate tier.</param>
public sealed record CalibrationExample(string Id, IReadOnlyList<TierObservation> Tiers);

/// <summary>
/// A cascade: the chain of candidate tiers a request visits (indices into the calibrator's tiers, ascending, ending
/// at the top tier) and the minimum confidence at which each non-top member's answer is accepted. The top member
/// accepts any answer that passes the other gates.
/// </summary>
/// <param name="Chain">Candidate-tier indices, cheapest first; the last is the top tier.</param>
/// <param name="Thresholds">One per chain member; <see langword="null"/> accepts without a confidence gate. The last is always <see langword="null"/>.</param>
public sealed record CascadePolicy(IReadOnlyList<int> Chain, IReadOnlyList<double?> Thresholds)
{
    /// <summary>Whether an answer passing the other gates with <paramref name="confidence"/> is accepted at chain position <paramref name="position"/>.</summary>
    /// <param name="position">The position in <see cref="Chain"/>.</param>
    /// <param name="confidence">The answer's confidence, or <see langword="null"/> without a signal (under a threshold the router's confidence gate then fails it: <c>MissingConfidence</c>).</param>
    /// <returns>Whether the answer is accepted.</returns>
    public bool Accepts(int position, double? confidence) =>
        Thresholds[position] is not { } t || (confidence is { } c && c >= t);

    /// <inheritdoc />
    public override string ToString() => string.Join(" -> ", Chain.Select((tier, i) =>
        Thresholds[i] is { } t ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"#{tier}(>={t:0.####})") : $"#{tier}"));
}

/// <summary>How a cascade did on a set of examples, paired against always using the top tier.</summary>
/// <param name="Examples">How many examples.</param>
/// <param name="Accuracy">The cascade's accuracy.</param>
/// <param name="TopAccuracy">The top tier's accuracy on the same examples.</param>
/// <param name="CostPerRequestUsd">The cascade's mean cost per request, rejected attempts included.</param>
/// <param name="TopCostPerRequestUsd">The top tier's mean cost per request.</param>
/// <param name="EscalationRate">The share of requests that moved past the first tier.</param>
/// <param name="TopRightCascadeWrong">Discordant pairs where the top tier was right and the cascade wrong.</param>
/// <param name="TopWrongCascadeRight">Discordant pairs where the top tier was wrong and the cascade right.</param>
public sealed record CascadeStats(
    int Examples, double Accuracy, double TopAccuracy, double CostPerRequestUsd, double TopCostPerRequestUsd,
    double EscalationRate, int TopRightCascadeWrong, int TopWrongCascadeRight)
{
    /// <summary>The accuracy lost against always using the top tier (negative when the cascade is better).</summary>
    public double AccuracyDrop => TopAccuracy - Accuracy;

    /// <summary>The share of the top tier's cost saved (negative when the cascade costs more).</summary>
    public double Saving => TopCostPerRequestUsd > 0 ? 1 - (CostPerRequestUsd / TopCostPerRequestUsd) : 0;
}
