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
        var seeds = new Option<string?>("--seeds")
        {
            Description = "Also replay every file at each of these cross-validation seeds (comma-separated, e.g. 1,2,3,4,5) and print each strategy's mean and standard deviation (the stability check's further shuffles are off there: they never change the choice).",
        };
        seeds.Validators.Add(result =>
        {
            if (ParseSeeds(result.GetValueOrDefault<string?>()) is { Error: { } error })
            {
                result.AddError(error);
            }
        });
        var command = new Command("replay", "Calibrate on the train split of recorded runs and report every routing strategy (cascade alone, rules, classifier) on the test split, routed through PromptRouter with the replay client (no model calls).")
        {
            path, target, markdown, calibrateOnly, estimator, seed, repeats, seeds,
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

            var sweep = ParseSeeds(parse.GetValue(seeds)).Seeds;
            var results = new List<ReplayFileResult>();
            var sweepResults = new List<(int Seed, ReplayFileResult Result)>();
            await console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("replay", maxValue: files.Count * (1 + sweep.Count));
                foreach (var file in files)
                {
                    task.Description = Path.GetFileName(file);
                    results.Add(await ReplayBenchmark.RunAsync(file, options, cancellationToken).ConfigureAwait(false));
                    task.Increment(1);
                    foreach (var s in sweep)
                    {
                        task.Description = Invariant($"{Path.GetFileName(file)} (seed {s})");
                        sweepResults.Add((s, await ReplayBenchmark.RunAsync(file, options with { Seed = s, StabilitySeeds = 0 }, cancellationToken).ConfigureAwait(false)));
                        task.Increment(1);
                    }
                }
            }).ConfigureAwait(false);

            console.Write(Table("Replay: calibrated on train, measured on test", Headers, Rows(results)));
            console.Write(Table("Strategies side by side (test split)", StrategyHeaders, StrategyRows(results)));
            if (sweep.Count > 0)
            {
                console.Write(Table(Invariant($"Over cross-validation seeds {string.Join(", ", sweep)}: mean ± standard deviation (test split)"), SeedHeaders, SeedRows(sweepResults)));
            }

            foreach (var result in results)
            {
                console.MarkupLineInterpolated($"[bold]{result.Name}[/]: {result.Calibration.Reason}");
            }

            if (parse.GetValue(markdown) is { } markdownPath)
            {
                await File.WriteAllTextAsync(markdownPath, Markdown(results, sweepResults), cancellationToken).ConfigureAwait(false);
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

    internal static readonly string[] StrategyHeaders =
        ["file", "strategy", "acc.", "Δ acc. (pts)", "cost/query", "saving", "share of cascade's saving", "escalation", "started past first tier", "note"];

    internal static readonly string[] SeedHeaders =
        ["file", "strategy", "seeds", "Δ acc. (pts)", "saving", "escalation", "started past first tier", "seeds within 1.5 pts"];

    /// <summary>How a strategy is named in the tables.</summary>
    internal static string Label(ReplayStrategy strategy) => strategy switch
    {
        ReplayStrategy.Cascade => "cascade alone",
        ReplayStrategy.RulesCascade => "rules → cascade",
        ReplayStrategy.RulesAlone => "rules alone",
        ReplayStrategy.ClassifierCascade => "classifier → cascade",
        _ => strategy.ToString(),
    };

    internal static IReadOnlyList<string[]> StrategyRows(IEnumerable<ReplayFileResult> results) => results.SelectMany(r => r.Strategies.Select(s => new[]
    {
        r.Name,
        Label(s.Strategy),
        Invariant($"{s.Accuracy:0.000}"),
        Invariant($"{-s.AccuracyDrop * 100:+0.0;-0.0;0.0}"),
        Invariant($"${s.CostPerRequestUsd:0.00e0}"),
        Invariant($"{s.Saving:P1}"),
        r.Saving > 0 ? Invariant($"{s.Saving / r.Saving:P0}") : "n/a",
        Invariant($"{s.EscalationRate:P1}"),
        Invariant($"{s.RaisedStartRate:P1}"),
        s.Note ?? string.Empty,
    })).ToArray();

    internal static IReadOnlyList<string[]> SeedRows(IEnumerable<(int Seed, ReplayFileResult Result)> sweep) => sweep
        .SelectMany(run => run.Result.Strategies.Select(s => (run.Result.Name, s)))
        .GroupBy(x => (x.Name, x.s.Strategy))
        .Select(g =>
        {
            var runs = g.Select(x => x.s).ToArray();
            return new[]
            {
                g.Key.Name,
                Label(g.Key.Strategy),
                runs.Length.ToString(CultureInfo.InvariantCulture),
                MeanSd(runs.Select(s => -s.AccuracyDrop * 100), "+0.0;-0.0;0.0", string.Empty),
                MeanSd(runs.Select(s => s.Saving * 100), "0.0", " %"),
                MeanSd(runs.Select(s => s.EscalationRate * 100), "0.0", " %"),
                MeanSd(runs.Select(s => s.RaisedStartRate * 100), "0.0", " %"),
                Invariant($"{runs.Count(s => s.AccuracyDrop <= 0.015)}/{runs.Length}"),
            };
        }).ToArray();

    /// <summary>The mean ± the sample standard deviation (n − 1) of the values.</summary>
    internal static string MeanSd(IEnumerable<double> values, string format, string unit)
    {
        var v = values.ToArray();
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + sd.ToString("0.0", CultureInfo.InvariantCulture) + unit;
    }

    /// <summary>The seeds of <c>--seeds</c> (none when absent), or the error naming the value that is not an integer.</summary>
    internal static (IReadOnlyList<int> Seeds, string? Error) ParseSeeds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ([], null);
        }

        var seeds = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return ([], $"--seeds: '{part}' is not an integer; give comma-separated integers, e.g. --seeds 1,2,3,4,5.");
            }

            seeds.Add(value);
        }

        return (seeds.Distinct().ToArray(), null);
    }

    private static Table Table(string title, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var table = new Table().Title(title);
        foreach (var header in headers)
        {
            table.AddColumn(header);
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    internal static string Markdown(IEnumerable<ReplayFileResult> results, IReadOnlyList<(int Seed, ReplayFileResult Result)>? sweep = null)
    {
        var list = results.ToArray();
        var text = MarkdownTable(Headers, Rows(list)) + "\n" + MarkdownTable(StrategyHeaders, StrategyRows(list));
        return sweep is { Count: > 0 } ? text + "\n" + MarkdownTable(SeedHeaders, SeedRows(sweep)) : text;
    }

    private static string MarkdownTable(IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var lines = new List<string>
        {
            "| " + string.Join(" | ", headers) + " |",
            "| " + string.Join(" | ", headers.Select(_ => "---")) + " |",
        };
        lines.AddRange(rows.Select(row => "| " + string.Join(" | ", row) + " |"));
        return string.Join('\n', lines) + "\n";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
