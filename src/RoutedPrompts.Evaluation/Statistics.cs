namespace RoutedPrompts.Evaluation;

/// <summary>Confidence bounds used by calibration and reports.</summary>
public static class Statistics
{
    /// <summary>The Wilson score interval of a binomial proportion.</summary>
    /// <param name="successes">Successes.</param>
    /// <param name="trials">Trials.</param>
    /// <param name="z">The normal quantile (1.96 for 95%).</param>
    /// <returns>The interval's bounds; (0, 1) without trials.</returns>
    public static (double Low, double High) Wilson(int successes, int trials, double z = 1.96)
    {
        if (trials <= 0)
        {
            return (0, 1);
        }

        var p = (double)successes / trials;
        var z2 = z * z;
        var denominator = 1 + (z2 / trials);
        var centre = (p + (z2 / (2 * trials))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / trials) + (z2 / (4d * trials * trials))) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// An upper confidence bound on the paired accuracy drop <c>(b - c) / n</c> of a cascade against the top tier, from
    /// its discordant pairs (<paramref name="topRightOnly"/> = b, <paramref name="cascadeRightOnly"/> = c): the Wald
    /// bound of a paired difference of proportions with the Agresti–Min adjustment (half a pair added to each
    /// discordant cell), so a slice with no observed disagreement still carries uncertainty.
    /// </summary>
    /// <param name="topRightOnly">Examples the top tier got right and the cascade wrong (may be an expected, fractional count).</param>
    /// <param name="cascadeRightOnly">Examples the cascade got right and the top tier wrong (may be fractional).</param>
    /// <param name="n">Examples.</param>
    /// <param name="z">How many standard errors above the estimate (one-sided).</param>
    /// <returns>The bound.</returns>
    public static double PairedDropUpperBound(double topRightOnly, double cascadeRightOnly, int n, double z)
    {
        if (n <= 0)
        {
            return 1;
        }

        var b = topRightOnly + 0.5;
        var c = cascadeRightOnly + 0.5;
        var m = n + 1d;
        var drop = (b - c) / m;
        var variance = Math.Max(0, ((b + c) / m) - (drop * drop)) / m;
        return drop + (z * Math.Sqrt(variance));
    }
}
