using System.CommandLine;
using System.Globalization;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>eval</c> verb: every deployment of every reachable tier on each task's eval set.</summary>
internal static class EvalCommand
{
    public static Command Create(IAnsiConsole console, Func<IReadOnlyList<RoutedTask>> catalog)
    {
        var app = new AppOptions();
        var replay = new Option<FileInfo?>("--replay") { Description = "Answer every provider from this recording (no model calls)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Response cache directory (default <project-dir>/.routedprompts/cache)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("eval", "Run every deployment of every tier each routed task can reach on its eval set; record answers, gate outcomes, confidence, tokens, cost, latency and correctness.")
        {
            replay, cache, concurrency,
        };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var project = app.ProjectDirectory(parse);
            var routing = AppOptions.Routing(project);
            var options = new EvalRunOptions
            {
                Routing = routing,
                Providers = AppOptions.Providers(routing, parse.GetValue(replay)?.FullName),
                CacheDirectory = parse.GetValue(cache)?.FullName ?? Path.Combine(project, ".routedprompts", "cache"),
                MaxConcurrency = parse.GetValue(concurrency),
            };
            var tasks = app.Tasks(parse, catalog);
            var withSets = tasks.Where(t => t.EvalSet is not null).ToArray();
            foreach (var task in tasks.Where(t => t.EvalSet is null))
            {
                console.MarkupLineInterpolated($"[yellow]{task.Name}[/] has no eval set (EvalSet = \"evals/....jsonl\"): not evaluated.");
            }

            var runs = new List<EvalRun>();
            await console.Progress().StartAsync(async progress =>
            {
                foreach (var task in withSets)
                {
                    var bar = progress.AddTask(task.Name);
                    var run = await EvalRunner.RunAsync(task, Path.Combine(project, task.EvalSet!), options,
                        new Progress<(int Done, int Total)>(p => { bar.MaxValue = p.Total; bar.Value = p.Done; }), cancellationToken).ConfigureAwait(false);
                    bar.Value = bar.MaxValue;
                    run.Write(EvalRun.PathFor(app.ResultsDirectory(parse), task.Name));
                    runs.Add(run);
                }
            }).ConfigureAwait(false);

            var table = new Table().AddColumns("task", "tier", "deployment", "accuracy", "answered", "cost/request");
            foreach (var run in runs)
            {
                foreach (var group in run.Records.GroupBy(r => (r.Tier, r.Provider, r.Model)))
                {
                    table.AddRow(
                        Markup.Escape(run.Task), group.Key.Tier.ToString(), Markup.Escape($"{group.Key.Provider}/{group.Key.Model}"),
                        group.Average(r => r.Correct ? 1d : 0d).ToString("0.000", CultureInfo.InvariantCulture),
                        group.Average(r => r.Answered ? 1d : 0d).ToString("P0", CultureInfo.InvariantCulture),
                        group.Average(r => r.CostUsd).ToString("0.00e0", CultureInfo.InvariantCulture));
                }
            }

            console.Write(table);
            return 0;
        });
        return command;
    }
}
