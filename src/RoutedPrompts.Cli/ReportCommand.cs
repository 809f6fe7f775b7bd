using System.CommandLine;
using System.Globalization;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>report</c> verb: per task, tiers, cascade, escalation, cost and saving, in the terminal, Markdown and HTML.</summary>
internal static class ReportCommand
{
    public static Command Create(IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog)
    {
        var app = new AppOptions();
        var output = new Option<DirectoryInfo?>("--output") { Description = "Where report.md and report.html go (default <project-dir>/.routedprompts/report)." };
        var command = new Command("report", "Report each calibrated task: accuracy per tier with a 95% interval, cascade accuracy, escalation rate, cost per request and per correct answer, saving; Markdown and a self-contained HTML page with a cost–accuracy plot.")
        {
            output,
        };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var project = app.ProjectDirectory(parse);
            var lockPath = Path.Combine(project, LockFile.FileName);
            if (!File.Exists(lockPath))
            {
                console.MarkupLineInterpolated($"[red]No {LockFile.FileName} in {project}.[/] Run: {ToolCommand.Run("eval")} && {ToolCommand.Run("calibrate")}");
                return 1;
            }

            var file = LockFile.Read(lockPath);
            var reports = new List<TaskReport>();
            var refused = false;
            foreach (var task in app.Tasks(parse, catalog, console))
            {
                var results = EvalRun.PathFor(app.ResultsDirectory(parse), task.Name);
                if (!file.Tasks.TryGetValue(task.Name, out var entry) || !File.Exists(results))
                {
                    console.MarkupLineInterpolated($"[yellow]{task.Name}[/]: not evaluated and calibrated yet. Run: {LockCheck.FixCommand(task.Name)}");
                    continue;
                }

                TaskReport report;
                try
                {
                    report = TaskReport.Create(EvalRun.Read(results), entry);
                }
                catch (InvalidDataException ex)
                {
                    console.MarkupLineInterpolated($"[red]{ex.Message}[/]");
                    refused = true;
                    continue;
                }

                reports.Add(report);
                var table = new Table().Title(Markup.Escape(report.Task)).AddColumns("", "accuracy (95% CI)", "cost/request", "cost/correct", "escalation");
                foreach (var row in report.Rows())
                {
                    table.AddRow(
                        row.IsCascade ? $"[bold]{row.Label}[/]" : Markup.Escape(row.Label),
                        Markup.Escape(row.Interval.Length == 0 ? row.Accuracy : $"{row.Accuracy} ({row.Interval})"),
                        Markup.Escape(row.CostPerRequest), Markup.Escape(row.CostPerCorrect), Markup.Escape(row.Escalation));
                }

                console.Write(table);
                console.MarkupLineInterpolated($"{report.ScoredBy}");
                console.MarkupLineInterpolated($"saving {report.Saving.ToString("P1", CultureInfo.InvariantCulture)}: {report.Reason}");
            }

            var directory = parse.GetValue(output)?.FullName ?? Path.Combine(project, ".routedprompts", "report");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), "# RoutedPrompts eval report\n\n" + string.Join("\n", reports.Select(r => r.ToMarkdown())), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), TaskReport.ToHtml(reports), cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"Wrote {Path.Combine(directory, "report.md")} and report.html.");
            return refused ? 1 : 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
