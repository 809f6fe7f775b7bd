using System.CommandLine;
using System.Globalization;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>replay</c> verb: calibrate on each recorded file's train split, route its test split, print the table.</summary>
internal static class ReplayCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var path = new Argument<string>("path") { Description = "A recorded-runs JSONL file, or a directory of them (e.g. ../shared/datasets/)." };
        var target = new Option<double>("--max-drop") { Description = "Quality target: the most accuracy the cascade may lose against the top model (0.01 = one point).", DefaultValueFactory = _ => 0.01 };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the table as Markdown to this file." };
        var calibrateOnly = new Option<bool>("--calibrate-only") { Description = "Calibrate on train and print the decision and its cross-validated evidence; do not touch the test split." };
        var estimator = new Option<DropEstimator>("--estimator") { Description = "How the accuracy loss is estimated: ShrunkNet (default: losses minus a cross-validated weight times the cheaper tiers' wins), LossOnly or Net.", DefaultValueFactory = _ => DropEstimator.ShrunkNet };
        var defaults = new CalibrationOptions();
        var seed = new Option<int>("--seed") { Description = "Seed of the cross-validation's shuffles (to see how much the choice depends on them).", DefaultValueFactory = _ => defaults.Seed };
        var repeats = new Option<int>("--repeats") { Description = "Repetitions of the cross-validation with different shuffles.", DefaultValueFactory = _ => defaults.Repeats };
        repeats.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--repeats must be at least 1.");
            }
        });
        var command = new Command("replay", "Calibrate on the train split of recorded runs and report the cascade on the test split, routed through PromptRouter with the replay client (no model calls).")
        {
            path, target, markdown, calibrateOnly, estimator, seed, repeats,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var files = Files(parse.GetValue(path)!);
            if (files.Count == 0)
            {
                console.MarkupLineInterpolated($"[red]No .jsonl files at {parse.GetValue(path)}.[/]");
                return 2;
            }

            var options = new CalibrationOptions
            {
                MaxAccuracyDrop = parse.GetValue(target), Estimator = parse.GetValue(estimator), Seed = parse.GetValue(seed), Repeats = parse.GetValue(repeats),
            };
            if (parse.GetValue(calibrateOnly))
            {
                foreach (var file in files)
                {
                    var calibrated = await ReplayBenchmark.CalibrateAsync(file, options, cancellationToken).ConfigureAwait(false);
                    var cv = calibrated.Calibration.CrossValidated;
                    console.MarkupLineInterpolated($"[bold]{Path.GetFileNameWithoutExtension(file)}[/]: {calibrated.Calibration.Reason}");
                    foreach (var (w, z, stats) in calibrated.Calibration.CrossValidation)
                    {
                        console.WriteLine(Invariant($"  win weight {w}, z={z}: out of fold drop {stats.AccuracyDrop * 100:0.00} pts, losses {100.0 * stats.TopRightCascadeWrong / stats.Examples:0.00} pts, saving {stats.Saving:P0}"));
                    }

                    if (cv is not null)
                    {
                        console.WriteLine(Invariant($"  out of fold (train CV): drop {cv.AccuracyDrop * 100:0.0} pts, losses {100.0 * cv.TopRightCascadeWrong / cv.Examples:0.0} pts, saving {cv.Saving:P0}, escalation {cv.EscalationRate:P0}"));
                    }
                }

                return 0;
            }

            var results = new List<ReplayFileResult>();
            await console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("replay", maxValue: files.Count);
                foreach (var file in files)
                {
                    task.Description = Path.GetFileName(file);
                    results.Add(await ReplayBenchmark.RunAsync(file, options, cancellationToken).ConfigureAwait(false));
                    task.Increment(1);
                }
            }).ConfigureAwait(false);

            console.Write(Table(results));
            foreach (var result in results)
            {
                console.MarkupLineInterpolated($"[bold]{result.Name}[/]: {result.Calibration.Reason}");
            }

            if (parse.GetValue(markdown) is { } markdownPath)
            {
                await File.WriteAllTextAsync(markdownPath, Markdown(results), cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    internal static IReadOnlyList<string> Files(string path) =>
        Directory.Exists(path)
            ? Directory.GetFiles(path, "*.jsonl").Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : [];

    internal static IReadOnlyList<string[]> Rows(IEnumerable<ReplayFileResult> results) => results.Select(r => new[]
    {
        r.Name,
        string.Join(" → ", r.Chain.Select((m, i) => r.Calibration.Policy.Thresholds[i] is { } t ? Invariant($"{m} (≥{t:0.###})") : m)),
        Invariant($"{r.TopModel} {r.TopAccuracy:0.000}"),
        Invariant($"${r.TopCostPerRequestUsd:0.00e0}"),
        Invariant($"{r.CascadeAccuracy:0.000}"),
        Invariant($"${r.CascadeCostPerRequestUsd:0.00e0}"),
        Invariant($"{-r.AccuracyDrop * 100:+0.0;-0.0;0.0}"),
        Invariant($"{r.Saving:P1}"),
        Invariant($"{r.EscalationRate:P1}"),
        Invariant($"{r.TrainQueries}/{r.TestQueries}"),
    }).ToArray();

    internal static readonly string[] Headers =
        ["file", "cascade (calibrated on train)", "top model acc.", "top cost/query", "cascade acc.", "cascade cost/query", "Δ acc. (pts)", "saving", "escalation", "train/test"];

    private static Table Table(IEnumerable<ReplayFileResult> results)
    {
        var table = new Table().Title("Replay: calibrated on train, measured on test");
        foreach (var header in Headers)
        {
            table.AddColumn(header);
        }

        foreach (var row in Rows(results))
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    internal static string Markdown(IEnumerable<ReplayFileResult> results)
    {
        var lines = new List<string>
        {
            "| " + string.Join(" | ", Headers) + " |",
            "| " + string.Join(" | ", Headers.Select(_ => "---")) + " |",
        };
        lines.AddRange(Rows(results).Select(row => "| " + string.Join(" | ", row) + " |"));
        return string.Join('\n', lines) + "\n";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
