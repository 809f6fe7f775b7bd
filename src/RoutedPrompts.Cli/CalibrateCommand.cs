using System.CommandLine;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>calibrate</c> verb: thresholds and start tier per task from its eval results, written to the lock file.</summary>
internal static class CalibrateCommand
{
    public static Command Create(IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog, TimeProvider time)
    {
        var app = new AppOptions();
        var target = new Option<double>("--max-drop") { Description = "Quality target: the most accuracy the cascade may lose against the top tier (0.01 = one point).", DefaultValueFactory = _ => 0.01 };
        var command = new Command("calibrate", "Choose each task's confidence thresholds (out-of-sample, see README) and start tier from its eval results, and write routedprompts.lock.json.")
        {
            target,
        };
        app.AddTo(command);
        command.SetAction(parse =>
        {
            var project = app.ProjectDirectory(parse);
            var lockPath = Path.Combine(project, LockFile.FileName);
            var file = File.Exists(lockPath) ? LockFile.Read(lockPath) : new LockFile();
            var maxDrop = parse.GetValue(target);
            var routing = TaskHashes.ProjectRouting(project);
            var failed = false;
            foreach (var task in app.Tasks(parse, catalog, console).Where(t => t.EvalSet is not null))
            {
                var resultsPath = EvalRun.PathFor(app.ResultsDirectory(parse), task.Name);
                if (!File.Exists(resultsPath))
                {
                    console.MarkupLineInterpolated($"[red]{task.Name}[/]: no eval results at {resultsPath}. Run: {ToolCommand.Run($"eval --task {task.Name}")}");
                    failed = true;
                    continue;
                }

                var run = EvalRun.Read(resultsPath);
                var evalSetText = File.ReadAllText(Path.Combine(project, task.EvalSet!));
                var hashes = TaskHashes.Of(task, evalSetText, routing);
                var older = TaskHashes.Different(hashes.ChangedSince(run), "its prompt, schema or eval set", $"its chat options (Tasks:{task.Name} in the configuration)");
                if (older is not null)
                {
                    console.MarkupLineInterpolated($"[red]{task.Name}[/]: its eval results are older than {older}. Run: {ToolCommand.Run($"eval --task {task.Name}")}");
                    failed = true;
                    continue;
                }

                if (run.DescribeMissing() is { } missing)
                {
                    console.MarkupLineInterpolated($"[red]not calibrated:[/] {missing}");
                    failed = true;
                    continue;
                }

                var (tiers, examples) = run.ToCalibration();
                var options = new CalibrationOptions { MaxAccuracyDrop = maxDrop, AllowSkippingTiers = false };
                var result = new CascadeCalibrator(options).Calibrate(examples, tiers.Select(t => t.ToString()).ToArray());
                // The start-tier classifier reads each example's messages as the task's method sends them.
                var messages = EvalSet.Parse(evalSetText, Path.Combine(project, task.EvalSet!), task).ToDictionary(e => e.Id, e => e.Messages(task), StringComparer.Ordinal);
                var classifier = StartTierClassifier.Train(examples.Select(e => messages[e.Id]).ToArray(), examples, result, options);
                var entry = LockEntries.Create(task, evalSetText, tiers, examples, result, maxDrop, time.GetUtcNow(), routing, classifier);
                file.Tasks[task.Name] = file.Tasks.TryGetValue(task.Name, out var previous) && LockEntries.SameCalibration(previous, entry) ? previous : entry;
                console.MarkupLineInterpolated($"[bold]{task.Name}[/]: {result.Reason}");
                console.MarkupLineInterpolated($"[bold]{task.Name}[/] classifier: {classifier.Reason}");
            }

            file.Write(lockPath);
            console.MarkupLineInterpolated($"Wrote {lockPath}.");
            return failed ? 1 : 0;
        });
        return command;
    }
}
