namespace RoutedPrompts.Evaluation.Tests;

public sealed class TaskReportTests
{
    private static TaskReport Report(double cascadeAccuracy) => new(
        "Quiz.Answer",
        [new TierPoint("Small", 0.5, 0.4, 0.6, 0.001), new TierPoint("Large", 0, 0, 0.1, 0.01)],
        new OperatingPoint(0.9, cascadeAccuracy, 0.004, 0.25),
        [],
        "Small earns the traffic.",
        100);

    [Fact]
    public void Markdown_HTML_and_terminal_show_the_same_rows_including_the_cascades_cost_per_correct_answer()
    {
        var report = Report(0.8);
        var cascade = report.Rows()[^1];

        Assert.Equal(("cascade", "$5.00e-3"), (cascade.Label, cascade.CostPerCorrect)); // 0.004 / 0.8
        Assert.Contains("| **cascade** | 0.800 | $4.00e-3 | $5.00e-3 | 25.0 % |", report.ToMarkdown());
        Assert.Contains("<td><b>cascade</b></td><td>0.800</td><td></td><td>$4.00e-3</td><td>$5.00e-3</td><td>25.0 %</td>", TaskReport.ToHtml([report]));
        Assert.Contains("| Large alone | 0.000 (0.000–0.100) | $1.00e-2 | – | – |", report.ToMarkdown()); // nothing correct: no cost per correct answer
        Assert.Equal("–", Report(0).Rows()[^1].CostPerCorrect);
    }
}
