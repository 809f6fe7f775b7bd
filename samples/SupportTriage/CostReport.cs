using System.Globalization;
using System.Text;
using RoutedPrompts;

namespace SupportTriage;

/// <summary>
/// Prints each routed request (where it started and why, each escalation, the answer) and totals its cost against
/// sending everything to the large tier.
/// </summary>
/// <param name="largeInputPrice">The large tier's USD per million input tokens.</param>
/// <param name="largeOutputPrice">The large tier's USD per million output tokens.</param>
internal sealed class CostReport(decimal largeInputPrice, decimal largeOutputPrice)
{
    private decimal _routedCost;
    private decimal _allLargeCost;
    private int _requests;
    private int _failed;
    private int _escalated;
    private int _raisedByRule;
    private int _raisedByClassifier;
    private readonly Dictionary<Tier, int> _answeredBy = [];

    /// <summary>Runs one routed request and prints where it was answered and why it escalated.</summary>
    public async Task RunAsync<T>(string label, Func<Task<Routed<T>>> call, Func<T, string> describe)
    {
        _requests++;
        Console.WriteLine();
        Console.WriteLine(label);
        try
        {
            var routed = await call();
            PrintRoute(routed.Route);
            PrintAttempts(routed.Attempts);
            _answeredBy[routed.Tier] = _answeredBy.GetValueOrDefault(routed.Tier) + 1;
            _escalated += routed.Escalations > 0 ? 1 : 0;
            _routedCost += routed.CostUsd;
            _allLargeCost += LargeCost(routed.Attempts);
            Console.WriteLine($"  => {routed.Tier} ({routed.Deployment}) in {routed.Attempts.Count} attempt(s), {Usd(routed.CostUsd)}: {describe(routed.Value)}");
        }
        catch (RoutingException ex)
        {
            _failed++;
            PrintRoute(ex.Route);
            PrintAttempts(ex.Attempts);
            var cost = ex.Attempts.Sum(a => a.CostUsd);
            _routedCost += cost;
            _allLargeCost += LargeCost(ex.Attempts);
            Console.WriteLine($"  => no tier produced an acceptable answer ({Usd(cost)} spent); the caller gets a RoutingException, never a bad answer.");
        }
    }

    /// <summary>Prints the totals.</summary>
    public void PrintSummary()
    {
        Console.WriteLine();
        Console.WriteLine("Summary");
        Console.WriteLine($"  requests:            {_requests} ({_escalated} escalated, {_failed} refused by every tier)");
        Console.WriteLine($"  started higher:      {_raisedByRule} by a rule, {_raisedByClassifier} by the classifier");
        Console.WriteLine($"  answered by tier:    {string.Join(", ", _answeredBy.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"  routed cost:         {Usd(_routedCost)}");
        Console.WriteLine($"  all-Large estimate:  {Usd(_allLargeCost)} (the same tokens at the Large tier's prices)");
        var saving = _allLargeCost == 0 ? 0 : 1 - (_routedCost / _allLargeCost);
        Console.WriteLine($"  saving:              {saving.ToString("P0", CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Prints where the request started and why: the task's planned start (code, configuration, lock file), the rule
    /// that matched, the classifier's probability that the planned start would answer acceptably and whether it raised
    /// the start.
    /// </summary>
    private void PrintRoute(RouteDecision? route)
    {
        if (route is null)
        {
            Console.WriteLine("  route: not recorded by the router");
            return;
        }

        var line = new StringBuilder($"  route: planned {route.PlannedStart}, start {route.Start}, max {route.Max}");
        if (route.Context?.Feature is { } feature)
        {
            line.Append($"; feature {feature}");
        }

        if (route.Rule is { } rule)
        {
            line.Append($"; rule {rule}");
            _raisedByRule += route.Start > route.PlannedStart && !route.ClassifierRaisedStart ? 1 : 0;
        }

        if (route.InputTokens is { } tokens)
        {
            line.Append($"; {tokens} input tokens{(route.InputTokensEstimated ? " (estimated)" : string.Empty)}");
        }

        if (route.ClassifierProbability is { } probability)
        {
            line.Append($"; classifier {probability.ToString("0.000", CultureInfo.InvariantCulture)}{(route.ClassifierRaisedStart ? ", raised the start" : ", kept the start")}");
            _raisedByClassifier += route.ClassifierRaisedStart ? 1 : 0;
        }

        Console.WriteLine(line.ToString());
    }

    private static void PrintAttempts(IReadOnlyList<RoutingAttempt> attempts)
    {
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            if (!attempt.Accepted)
            {
                var next = i + 1 < attempts.Count ? $" → {attempts[i + 1].Tier}" : string.Empty;
                Console.WriteLine($"  {attempt.Tier,-6} {attempt.Deployment}: {attempt.Outcome} — {attempt.Reason}{next}");
            }
        }
    }

    // What the request would have cost on the large tier alone: the first attempt's input and the answer's output.
    private decimal LargeCost(IReadOnlyList<RoutingAttempt> attempts) =>
        ((attempts[0].InputTokens * largeInputPrice) + (attempts[^1].OutputTokens * largeOutputPrice)) / 1_000_000m;

    private static string Usd(decimal value) => "$" + value.ToString("0.000000", CultureInfo.InvariantCulture);
}
