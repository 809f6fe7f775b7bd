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
/// <param name="Scorer">The scorer behind every accuracy (<see cref="EvalRun.Scorer"/>), or <see langword="null"/> when the results do not record it.</param>
public sealed record TaskReport(string Task, IReadOnlyList<TierPoint> Tiers, OperatingPoint Chosen, IReadOnlyList<OperatingPoint> Sweep, string Reason, int Examples, string? Scorer = null)
{
    /// <summary>The plot's width and height (its viewBox is <c>0 0 width height</c>).</summary>
    public const double PlotWidth = 560, PlotHeight = 360;

    /// <summary>What a rendering says about how answers were scored.</summary>
    public string ScoredBy => "Scored by " + (Scorer ?? "a scorer these results do not record (re-run eval to record it)") + ".";

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
        var different = TaskHashes.Different(entry.Recorded().Changes(run.PromptHash, run.SchemaHash, run.EvalSetHash, run.ChatOptionsHash), "prompts, schemas or eval sets", "chat options");
        if (different is not null)
        {
            throw new InvalidDataException($"{run.Task}: the eval results and the lock entry come from different {different}. Run: {ToolCommand.Run($"calibrate --task {run.Task}")}");
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
            throw new InvalidDataException($"{run.Task}: the lock entry starts at '{entry.StartTier}', a tier the eval results do not have ({string.Join(", ", tiers)}). Run: {ToolCommand.Run($"calibrate --task {run.Task}")}");
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
        return new TaskReport(run.Task, points, chosen, sweep, (entry.Reason ?? string.Empty) + (entry.Classifier is { } classifier ? " Start-tier classifier " + classifier.Describe() : string.Empty), examples.Count, run.Scorer);
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
        text.Append(CultureInfo.InvariantCulture, $"## {Task}\n\n{Reason}\n\n{ScoredBy}\n\n");
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

    /// <summary>
    /// An SVG cost–accuracy plot: axes with ticks, every threshold of the sweep, each tier alone, and the chosen operating
    /// point drawn last as a ring wider than a tier's square (visible on top of one). Labels that would run past the
    /// right edge are placed to the left of their point.
    /// </summary>
    /// <returns>The SVG element.</returns>
    public string ToSvg()
    {
        const double width = PlotWidth, height = PlotHeight, left = 70, right = 20, topMargin = 20, bottom = 50;
        var costs = Tiers.Select(t => t.CostPerRequestUsd).Concat(Sweep.Select(s => s.CostPerRequestUsd)).Append(Chosen.CostPerRequestUsd).ToArray();
        var accuracies = Tiers.Select(t => t.Accuracy).Concat(Sweep.Select(s => s.Accuracy)).Append(Chosen.Accuracy).ToArray();
        var (minX, maxX) = (0d, Math.Max(costs.Max() * 1.05, 1e-12));
        var (minY, maxY) = (Math.Max(0, accuracies.Min() - 0.05), Math.Min(1, accuracies.Max() + 0.02));
        if (maxY - minY < 1e-6)
        {
            (minY, maxY) = (Math.Max(0, minY - 0.05), Math.Min(1, maxY + 0.05));
        }

        double X(double cost) => left + ((cost - minX) / (maxX - minX) * (width - left - right));
        double Y(double accuracy) => height - bottom - ((accuracy - minY) / (maxY - minY) * (height - topMargin - bottom));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Cost and accuracy of {WebUtility.HtmlEncode(Task)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{topMargin}\" width=\"{width - left - right}\" height=\"{height - topMargin - bottom}\" fill=\"#fafafa\" stroke=\"#999\"/>");
        foreach (var tick in Ticks(minX, maxX))
        {
            var x = X(tick);
            svg.Append(Invariant($"<line class=\"tick\" x1=\"{x:0.0}\" y1=\"{height - bottom:0.0}\" x2=\"{x:0.0}\" y2=\"{height - bottom + 5:0.0}\" stroke=\"#999\"/>"));
            Label(svg, x, height - bottom + 17, 0, tick == 0 ? "0" : Invariant($"{tick:0.##e0}"), 10, "tick-label", null, "middle");
        }

        foreach (var tick in Ticks(minY, maxY))
        {
            var y = Y(tick);
            svg.Append(Invariant($"<line class=\"tick\" x1=\"{left - 5:0.0}\" y1=\"{y:0.0}\" x2=\"{left:0.0}\" y2=\"{y:0.0}\" stroke=\"#999\"/>"));
            Label(svg, left - 7, y + 3.5, 0, Invariant($"{tick:0.0##}"), 10, "tick-label", null, "end");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(width + left) / 2}\" y=\"{height - 10}\" text-anchor=\"middle\" font-size=\"12\">cost per request (USD)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{height / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 {height / 2})\">accuracy</text>");
        if (Sweep.Count > 1)
        {
            svg.Append("<polyline fill=\"none\" stroke=\"#7aa6d8\" stroke-width=\"1.5\" points=\"")
               .AppendJoin(' ', Sweep.OrderBy(s => s.CostPerRequestUsd).Select(s => Invariant($"{X(s.CostPerRequestUsd):0.0},{Y(s.Accuracy):0.0}"))).Append("\"/>");
            foreach (var point in Sweep)
            {
                svg.Append(Invariant($"<circle class=\"threshold\" cx=\"{X(point.CostPerRequestUsd):0.0}\" cy=\"{Y(point.Accuracy):0.0}\" r=\"2.5\" fill=\"#7aa6d8\"><title>threshold {point.Threshold:0.###}: accuracy {point.Accuracy:0.000}, ${point.CostPerRequestUsd:0.00e0}</title></circle>"));
            }
        }

        foreach (var tier in Tiers)
        {
            var (x, y) = (X(tier.CostPerRequestUsd), Y(tier.Accuracy));
            svg.Append(Invariant($"<rect class=\"tier\" x=\"{x:0.0}\" y=\"{y:0.0}\" width=\"{TierSquare}\" height=\"{TierSquare}\" transform=\"translate({-TierSquare / 2} {-TierSquare / 2})\" fill=\"#444\"><title>{tier.Tier} alone: accuracy {tier.Accuracy:0.000}, ${tier.CostPerRequestUsd:0.00e0}</title></rect>"));
            Label(svg, x, y - 7, 7, tier.Tier, 11, "tier-label", null);
        }

        // Last, so nothing covers it; its ring clears a tier's square (half-diagonal 4√2 ≈ 5.7) so both stay visible.
        var (cx, cy) = (X(Chosen.CostPerRequestUsd), Y(Chosen.Accuracy));
        svg.Append(Invariant($"<circle class=\"chosen\" cx=\"{cx:0.0}\" cy=\"{cy:0.0}\" r=\"{ChosenRadius}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"{ChosenStroke}\"><title>chosen: accuracy {Chosen.Accuracy:0.000}, ${Chosen.CostPerRequestUsd:0.00e0}</title></circle>"));
        Label(svg, cx, cy + ChosenRadius + 12, ChosenRadius - 2, "chosen", 11, "chosen-label", "#d62728");
        return svg.Append("</svg>").ToString();

        void Label(StringBuilder target, double x, double y, double dx, string text, double fontSize, string cssClass, string? fill, string anchor = "start")
        {
            // Right of the point unless that runs past the right edge: then left of it.
            var (at, placed) = anchor == "start" && x + dx + EstimatedTextWidth(text, fontSize) > width - 2 ? (x - dx, "end") : (anchor == "start" ? x + dx : x, anchor);
            if (placed == "middle" && at + (EstimatedTextWidth(text, fontSize) / 2) > width - 2)
            {
                (at, placed) = (width - 2, "end");
            }

            var colour = fill is null ? string.Empty : $" fill=\"{fill}\"";
            target.Append(Invariant($"<text class=\"{cssClass}\" x=\"{at:0.0}\" y=\"{y:0.0}\" text-anchor=\"{placed}\" font-size=\"{fontSize}\"{colour}>{WebUtility.HtmlEncode(text)}</text>"));
        }
    }

    /// <summary>The chosen marker's radius and stroke width.</summary>
    internal const double ChosenRadius = 9, ChosenStroke = 2.5;

    /// <summary>The side of a tier's square.</summary>
    internal const double TierSquare = 8;

    /// <summary>A generous estimate of a text's rendered width in a sans-serif font (0.6 em per character).</summary>
    private static double EstimatedTextWidth(string text, double fontSize) => text.Length * fontSize * 0.6;

    /// <summary>Round tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max], about five of them.</summary>
    private static IEnumerable<double> Ticks(double min, double max)
    {
        var raw = (max - min) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / magnitude) switch { <= 1 => 1, <= 2 => 2, <= 5 => 5, _ => 10 } * magnitude;
        for (var k = Math.Ceiling((min / step) - 1e-9); k * step <= max + (step * 1e-9); k++)
        {
            yield return Math.Round(k * step / magnitude) * magnitude;
        }
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
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{WebUtility.HtmlEncode(report.Task)}</h2><p>{WebUtility.HtmlEncode(report.Reason)}</p><p>{WebUtility.HtmlEncode(report.ScoredBy)}</p>");
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
