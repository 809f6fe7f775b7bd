using System.Globalization;
using System.Xml.Linq;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The report's SVG plot: axis ticks with values, the chosen marker drawn above the tiers and wide enough to stay visible
/// around a tier's square, and no label running past the edges of the viewBox.
/// </summary>
public sealed class ReportPlotTests
{
    /// <summary>
    /// The cascade at threshold 1 escalates everything, so it costs more than Large alone: the chosen point sits at the
    /// right edge of the plot, where its label used to be cut off.
    /// </summary>
    private static TaskReport Report(OperatingPoint? chosen = null)
    {
        OperatingPoint[] sweep = [new(0.3, 0.70, 4.0e-5, 0.2), new(0.6, 0.85, 1.2e-4, 0.6), new(1.0, 0.93, 2.1e-4, 1.0)];
        TierPoint[] tiers = [new("Small", 0.62, 0.55, 0.69, 1.0e-5), new("Medium", 0.78, 0.72, 0.83, 8.0e-5), new("Large", 0.93, 0.89, 0.96, 2.0e-4)];
        return new TaskReport("Support.Triage", tiers, chosen ?? sweep[^1], sweep, "Large serves.", 200);
    }

    private static XElement Svg(TaskReport report) => XElement.Parse(report.ToSvg());

    private static double Number(XElement element, string attribute, double fallback = 0) =>
        element.Attribute(attribute) is { } value ? double.Parse(value.Value, CultureInfo.InvariantCulture) : fallback;

    [Fact]
    public void Both_axes_have_ticks_with_values()
    {
        var svg = Svg(Report());
        var ticks = svg.Elements().Where(e => (string?)e.Attribute("class") == "tick").ToList();
        var vertical = ticks.Count(t => Number(t, "x1") == Number(t, "x2")); // on the cost axis
        var horizontal = ticks.Count(t => Number(t, "y1") == Number(t, "y2")); // on the accuracy axis
        Assert.True(vertical >= 3, $"{vertical} ticks on the cost axis");
        Assert.True(horizontal >= 3, $"{horizontal} ticks on the accuracy axis");
        var labels = svg.Elements().Where(e => (string?)e.Attribute("class") == "tick-label").Select(e => e.Value).ToList();
        Assert.Equal(ticks.Count, labels.Count);
        Assert.Contains("0", labels);
        Assert.Contains("1e-4", labels);
        Assert.Contains("0.9", labels);
    }

    [Fact]
    public void The_chosen_marker_is_drawn_above_the_tiers_and_stays_visible_on_a_tiers_point()
    {
        var report = Report();
        var onLarge = Report(new OperatingPoint(null, report.Top.Accuracy, report.Top.CostPerRequestUsd, 0)); // the top tier alone was chosen
        foreach (var svg in new[] { Svg(report), Svg(onLarge) })
        {
            var shapes = svg.Elements().Select(e => (string?)e.Attribute("class")).ToList();
            Assert.True(shapes.IndexOf("chosen") > shapes.LastIndexOf("tier"), "the chosen marker must come after (above) every tier's square");
            Assert.True(shapes.IndexOf("chosen") > shapes.LastIndexOf("threshold"));
        }

        var chosen = Svg(onLarge).Elements().Single(e => (string?)e.Attribute("class") == "chosen");
        var large = Svg(onLarge).Elements().Last(e => (string?)e.Attribute("class") == "tier");
        Assert.Equal((Number(large, "x"), Number(large, "y")), (Number(chosen, "cx"), Number(chosen, "cy"))); // on top of each other
        Assert.Equal("none", (string?)chosen.Attribute("fill")); // the point inside stays visible
        Assert.NotEqual((string?)large.Attribute("fill"), (string?)chosen.Attribute("stroke"));
        var innerRadius = Number(chosen, "r") - (Number(chosen, "stroke-width") / 2);
        var squareHalfDiagonal = Number(large, "width") / 2 * Math.Sqrt(2);
        Assert.True(innerRadius > squareHalfDiagonal + 1, $"the ring (inner radius {innerRadius}) must clear the tier's square (half-diagonal {squareHalfDiagonal:0.0})");
    }

    [Fact]
    public void No_label_runs_past_the_plots_edges()
    {
        foreach (var report in new[] { Report(), Report(new OperatingPoint(null, 0.93, 2.0e-4, 0)) })
        {
            var svg = Svg(report);
            var viewBox = ((string)svg.Attribute("viewBox")!).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            foreach (var text in svg.Elements().Where(e => e.Name.LocalName == "text" && e.Attribute("transform") is null))
            {
                // A generous estimate of the rendered width: 0.6 em per character.
                var width = text.Value.Length * Number(text, "font-size", 16) * 0.6;
                var at = Number(text, "x") + Number(text, "dx");
                var start = (string?)text.Attribute("text-anchor") switch { "end" => at - width, "middle" => at - (width / 2), _ => at };
                Assert.True(start >= viewBox[0] && start + width <= viewBox[0] + viewBox[2], $"'{text.Value}' spans {start:0.0}–{start + width:0.0}, outside the viewBox (width {viewBox[2]})");
            }
        }
    }
}
