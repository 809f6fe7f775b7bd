using System.Globalization;
using System.Net;
using System.Text;

namespace RoutedPrompts.Evaluation;

/// <summary>One tier alone on the eval set.</summary>
/// <param name="Tier">The tier.</param>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="Low">Lower bound of the 95% Wilson interval.</param>
/// <param name="High">Upper bound of the 95% Wilson interval.</param>
/// <param name="CostPerRequestUsd">Mean cost per request, provider fail-overs included.</param>
public sealed record TierPoint(string Tier, double Accuracy, double Low, double High, double CostPerRequestUsd)
{
    /// <summary>Cost per correct answer (quality per dollar, inverted).</summary>
    public double CostPerCorrectUsd => Accuracy > 0 ? CostPerRequestUsd / Accuracy : double.PositiveInfinity;
}

/// <summary>A cascade's operating point.</summary>
/// <param name="Threshold">The start tier's threshold (null: no confidence gate).</param>
/// <param name="Accuracy">Cascade accuracy.</param>
/// <param name="CostPerRequestUsd">Mean cost per request, rejected attempts included.</param>
/// <param name="EscalationRate">Share of requests that escalated.</param>
public sealed record OperatingPoint(double? Threshold, double Accuracy, double CostPerRequestUsd, double EscalationRate)
{
    /// <summary>Cost per correct answer (quality per dollar, inverted).</summary>
    public double CostPerCorrectUsd => Accuracy > 0 ? CostPerRequestUsd / Accuracy : double.PositiveInfinity;
}

/// <summary>One row of a report's table, formatted: each tier alone, then the cascade.</summary>
/// <param name="Label">What the row is (<c>Small alone</c>, <c>cascade</c>).</param>
/// <param name="IsCascade">Whether the row is the chosen cascade.</param>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="Interval">The 95% Wilson interval (empty for the cascade).</param>
/// <param name="CostPerRequest">Mean cost per request.</param>
/// <param name="CostPerCorrect">Cost per correct answer (<c>–</c> when nothing was correct).</param>
/// <param name="Escalation">Escalation rate (<c>–</c> for a tier alone).</param>
public sealed record ReportRow(string Label, bool IsCascade, string Accuracy, string Interval, string CostPerRequest, string CostPerCorrect, string Escalation);

/// <summary>A task's report: each tier, the chosen cascade, and the start tier's threshold sweep.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Tiers">Each tier alone, cheapest first.</param>
/// <param name="Chosen">The calibrated cascade.</param>
/// <param name="Sweep">The cascade at every candidate threshold of its start tier (the other thresholds as chosen).</param>
/// <param name="Reason">The eval gate's reason.</param>
/// <param name="Examples">Examples evaluated.</param>
public sealed record TaskReport(string Task, IReadOnlyList<TierPoint> Tiers, OperatingPoint Chosen, IReadOnlyList<OperatingPoint> Sweep, string Reason, int Examples)
{
    /// <summary>The top tier alone.</summary>
    public TierPoint Top => Tiers[^1];

    /// <summary>The share of the top tier's cost the cascade saves.</summary>
    public double Saving => Top.CostPerRequestUsd > 0 ? 1 - (Chosen.CostPerRequestUsd / Top.CostPerRequestUsd) : 0;

    /// <summary>Builds the report of a task from its eval results and its lock entry.</summary>
    /// <param name="run">The eval results.</param>
    /// <param name="entry">The lock entry (start tier and thresholds).</param>
    /// <returns>The report.</returns>
    public static TaskReport Create(EvalRun run, LockEntry entry)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(entry);
        var different = run.PromptHash != entry.PromptHash || run.SchemaHash != entry.SchemaHash || run.EvalSetHash != entry.EvalSetHash ? "prompts, schemas or eval sets"
            : run.ChatOptionsHash != entry.ChatOptionsHash ? "chat options"
            : null;
        if (different is not null)
        {
            throw new InvalidDataException($"{run.Task}: the eval results and the lock entry come from different {different}. Run: routed-prompts calibrate --task {run.Task}");
        }

        var (tiers, examples) = run.ToCalibration();
        var top = tiers.Count - 1;
        var points = tiers.Select((tier, i) =>
        {
            var result = LockEntries.TierResult(examples, i);
            return new TierPoint(tier.ToString(), result.Accuracy, result.AccuracyLow, result.AccuracyHigh, result.CostPerRequestUsd);
        }).ToArray();

        var start = tiers.ToList().FindIndex(t => string.Equals(t.ToString(), entry.StartTier, StringComparison.OrdinalIgnoreCase));
        if (start < 0)
        {
            throw new InvalidDataException($"{run.Task}: the lock entry starts at '{entry.StartTier}', a tier the eval results do not have ({string.Join(", ", tiers)}). Run: routed-prompts calibrate --task {run.Task}");
        }

        var chain = Enumerable.Range(start, tiers.Count - start).ToArray();
        double? Threshold(int i) => i != top && entry.Thresholds.TryGetValue(tiers[i].ToString(), out var t) ? t : null;
        OperatingPoint Point(double? first)
        {
            var policy = new CascadePolicy(chain, chain.Select((tier, p) => p == 0 && tier != top ? first : Threshold(tier)).ToArray());
            var stats = CascadeEvaluation.Evaluate(policy, examples, top);
            return new OperatingPoint(first, stats.Accuracy, stats.CostPerRequestUsd, stats.EscalationRate);
        }

        var chosen = Point(Threshold(start));
        var sweep = start == top
            ? []
            : examples.Select(e => e.Tiers[start].Confidence).OfType<double>().Append(0).Append(1.01).Distinct().Order().Select(t => Point(t)).ToArray();
        return new TaskReport(run.Task, points, chosen, sweep, entry.Reason ?? string.Empty, examples.Count);
    }

    /// <summary>The table every rendering shows (terminal, Markdown, HTML): each tier alone, then the cascade.</summary>
    /// <returns>The rows.</returns>
    public IReadOnlyList<ReportRow> Rows() =>
    [
        .. Tiers.Select(t => new ReportRow($"{t.Tier} alone", false, Invariant($"{t.Accuracy:0.000}"), Invariant($"{t.Low:0.000}–{t.High:0.000}"), Usd(t.CostPerRequestUsd), Usd(t.CostPerCorrectUsd), "–")),
        new ReportRow("cascade", true, Invariant($"{Chosen.Accuracy:0.000}"), string.Empty, Usd(Chosen.CostPerRequestUsd), Usd(Chosen.CostPerCorrectUsd), Invariant($"{Chosen.EscalationRate:P1}")),
    ];

    private static string Usd(double value) => double.IsFinite(value) ? Invariant($"${value:0.00e0}") : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The report as Markdown.</summary>
    /// <returns>The Markdown.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {Task}\n\n{Reason}\n\n");
        text.Append("| | accuracy (95% CI) | cost / request | cost / correct answer | escalation |\n| --- | --- | --- | --- | --- |\n");
        foreach (var row in Rows())
        {
            var label = row.IsCascade ? $"**{row.Label}**" : row.Label;
            var accuracy = row.Interval.Length == 0 ? row.Accuracy : $"{row.Accuracy} ({row.Interval})";
            text.Append($"| {label} | {accuracy} | {row.CostPerRequest} | {row.CostPerCorrect} | {row.Escalation} |\n");
        }

        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"Saving against always using {Top.Tier}: {Saving:P1} ({Examples} examples; costs include escalations and fail-overs).\n");
        return text.ToString();
    }

    /// <summary>An SVG cost–accuracy plot: every threshold of the sweep, each tier alone, the chosen operating point.</summary>
    /// <returns>The SVG element.</returns>
    public string ToSvg()
    {
        const double width = 560, height = 360, left = 70, right = 20, topMargin = 20, bottom = 50;
        var costs = Tiers.Select(t => t.CostPerRequestUsd).Concat(Sweep.Select(s => s.CostPerRequestUsd)).Append(Chosen.CostPerRequestUsd).ToArray();
        var accuracies = Tiers.Select(t => t.Accuracy).Concat(Sweep.Select(s => s.Accuracy)).Append(Chosen.Accuracy).ToArray();
        var (minX, maxX) = (0d, Math.Max(costs.Max() * 1.05, 1e-12));
        var (minY, maxY) = (Math.Max(0, accuracies.Min() - 0.05), Math.Min(1, accuracies.Max() + 0.02));
        if (maxY - minY < 1e-6)
        {
            (minY, maxY) = (Math.Max(0, minY - 0.05), Math.Min(1, maxY + 0.05));
        }

        string X(double cost) => (left + ((cost - minX) / (maxX - minX) * (width - left - right))).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double accuracy) => (height - bottom - ((accuracy - minY) / (maxY - minY) * (height - topMargin - bottom))).ToString("0.0", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Cost and accuracy of {WebUtility.HtmlEncode(Task)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{topMargin}\" width=\"{width - left - right}\" height=\"{height - topMargin - bottom}\" fill=\"#fafafa\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(width + left) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\" font-size=\"12\">cost per request (USD, max {maxX:0.00e0})</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{height / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 {height / 2})\">accuracy ({minY:0.00}–{maxY:0.00})</text>");
        if (Sweep.Count > 1)
        {
            svg.Append("<polyline fill=\"none\" stroke=\"#7aa6d8\" stroke-width=\"1.5\" points=\"")
               .AppendJoin(' ', Sweep.OrderBy(s => s.CostPerRequestUsd).Select(s => $"{X(s.CostPerRequestUsd)},{Y(s.Accuracy)}")).Append("\"/>");
            foreach (var point in Sweep)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"threshold\" cx=\"{X(point.CostPerRequestUsd)}\" cy=\"{Y(point.Accuracy)}\" r=\"2.5\" fill=\"#7aa6d8\"><title>threshold {point.Threshold:0.###}: accuracy {point.Accuracy:0.000}, ${point.CostPerRequestUsd:0.00e0}</title></circle>");
            }
        }

        foreach (var tier in Tiers)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"tier\" x=\"{X(tier.CostPerRequestUsd)}\" y=\"{Y(tier.Accuracy)}\" width=\"8\" height=\"8\" transform=\"translate(-4 -4)\" fill=\"#444\"><title>{tier.Tier} alone: accuracy {tier.Accuracy:0.000}, ${tier.CostPerRequestUsd:0.00e0}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(tier.CostPerRequestUsd)}\" y=\"{Y(tier.Accuracy)}\" dx=\"6\" dy=\"-6\" font-size=\"11\">{tier.Tier}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"chosen\" cx=\"{X(Chosen.CostPerRequestUsd)}\" cy=\"{Y(Chosen.Accuracy)}\" r=\"6\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2.5\"><title>chosen: accuracy {Chosen.Accuracy:0.000}, ${Chosen.CostPerRequestUsd:0.00e0}</title></circle>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(Chosen.CostPerRequestUsd)}\" y=\"{Y(Chosen.Accuracy)}\" dx=\"8\" dy=\"14\" font-size=\"11\" fill=\"#d62728\">chosen</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>A self-contained HTML page with every task's table and plot (no scripts, no external resources).</summary>
    /// <param name="reports">The tasks' reports.</param>
    /// <returns>The HTML.</returns>
    public static string ToHtml(IEnumerable<TaskReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>RoutedPrompts eval report</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child{text-align:left}</style></head><body><h1>RoutedPrompts eval report</h1>\n");
        foreach (var report in reports)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{WebUtility.HtmlEncode(report.Task)}</h2><p>{WebUtility.HtmlEncode(report.Reason)}</p>");
            html.Append("<table><tr><th></th><th>accuracy</th><th>95% CI</th><th>cost / request</th><th>cost / correct</th><th>escalation</th></tr>");
            foreach (var row in report.Rows())
            {
                var label = row.IsCascade ? $"<b>{row.Label}</b>" : WebUtility.HtmlEncode(row.Label);
                html.Append($"<tr><td>{label}</td><td>{row.Accuracy}</td><td>{row.Interval}</td><td>{row.CostPerRequest}</td><td>{row.CostPerCorrect}</td><td>{row.Escalation}</td></tr>");
            }

            html.Append("</table>");
            html.Append(CultureInfo.InvariantCulture, $"<p>Saving against always using {report.Top.Tier}: {report.Saving:P1}.</p>").Append(report.ToSvg()).Append("</section>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }
}
