using System.CommandLine;
using System.Globalization;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>eval</c> verb: every deployment of every reachable tier on each task's eval set.</summary>
internal static class EvalCommand
{
    public static Command Create(IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog)
    {
        var app = new AppOptions();
        var replay = new Option<FileInfo?>("--replay") { Description = "Answer every provider from this recording (no model calls)." };
        var record = new Option<FileInfo?>("--record") { Description = "Also write every answer (live or cached) to this recording, in the replay format --replay reads." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Response cache directory (default <project-dir>/.routedprompts/cache)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 4 };
        var scorers = new Option<string[]>("--scorer") { Description = $"Task={SemanticScorer.Keyword}: judge a text task's answers by meaning, asking its top tier; Task=Namespace.Type.Method: score the task with 'static bool Method(T actual, JsonElement expected)'. Either replaces the exact comparison.", AllowMultipleArgumentsPerToken = true };
        var caseInsensitive = new Option<bool>("--ignore-case") { Description = "Compare strings ignoring case." };
        var tolerance = new Option<double>("--tolerance") { Description = "Numbers within this much are equal." };
        var ignore = new Option<string[]>("--ignore-field") { Description = "A property name or JSON path ($.summary) not compared.", AllowMultipleArgumentsPerToken = true };
        var sets = new Option<bool>("--lists-as-sets") { Description = "Compare lists as sets (order and duplicates ignored)." };
        var command = new Command("eval", "Run every deployment of every tier each routed task can reach on its eval set; record answers, gate outcomes, confidence, tokens, cost, latency and correctness.")
        {
            replay, record, cache, concurrency, scorers, caseInsensitive, tolerance, ignore, sets,
        };
        app.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var project = app.ProjectDirectory(parse);
            var loaded = app.Load(parse, catalog, console); // first: loading the app registers its tasks, which the configuration is validated against
            var tasks = app.Selected(parse, loaded.Tasks);
            var withSets = tasks.Where(t => t.EvalSet is not null).ToArray();
            if (withSets.Length == 0)
            {
                throw new InvalidOperationException(tasks.Count == 0
                    ? "The application has no routed task: nothing to evaluate."
                    : $"{string.Join(", ", tasks.Select(t => t.Name))} {(tasks.Count == 1 ? "has" : "have")} no eval set: nothing to evaluate. Add EvalSet = \"evals/....jsonl\" to the [RoutedPrompt].");
            }

            var recording = parse.GetValue(replay)?.FullName;
            if (parse.GetValue(record) is { } target && (Directory.Exists(target.FullName) || string.Equals(target.FullName, recording, StringComparison.Ordinal)))
            {
                // Checked before any call: the recorder writes only what this run asked for, so it must not replace the recording it replays.
                throw new InvalidOperationException($"--record {target.FullName} is {(Directory.Exists(target.FullName) ? "a directory" : "the recording --replay reads")}: name a new file.");
            }

            var routing = AppOptions.Routing(project, recording, loaded.Assembly);
            var options = new EvalRunOptions
            {
                Comparison = new JsonComparisonOptions
                {
                    CaseInsensitiveStrings = parse.GetValue(caseInsensitive),
                    NumericTolerance = parse.GetValue(tolerance),
                    IgnoredFields = (parse.GetValue(ignore) ?? []).ToHashSet(StringComparer.Ordinal),
                    ListsAsSets = parse.GetValue(sets),
                },
                Routing = routing.Options,
                RoutingSource = routing.Source,
                Providers = routing.Providers,
                CacheDirectory = parse.GetValue(cache)?.FullName ?? Path.Combine(project, ".routedprompts", "cache"),
                CacheScope = recording is not null
                    ? "replay:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(recording, cancellationToken).ConfigureAwait(false)))
                    : null,
                MaxConcurrency = parse.GetValue(concurrency),
                Recorder = parse.GetValue(record) is null ? null : new Replay.ReplayRecorder(),
            };
            var taskScorers = Scorers(parse.GetValue(scorers) ?? [], tasks, options);
            options = options with { Scorers = taskScorers };
            await using var disposeScorers = new AsyncDisposables(taskScorers.Values.OfType<IAsyncDisposable>());
            foreach (var task in tasks.Where(t => t.EvalSet is null))
            {
                console.MarkupLineInterpolated($"[yellow]{task.Name}[/] has no eval set (EvalSet = \"evals/....jsonl\"): not evaluated.");
            }

            foreach (var task in withSets)
            {
                EvalRunner.Deployments(task, options); // before any request: a task with nothing to evaluate is an error
            }

            var runs = new List<EvalRun>();
            async Task RunAll(ProgressContext? progress)
            {
                foreach (var task in withSets)
                {
                    var bar = progress?.AddTask(task.Name);
                    var run = await EvalRunner.RunAsync(task, Path.Combine(project, task.EvalSet!), options,
                        bar is null ? null : new Progress<(int Done, int Total)>(p => { bar.MaxValue = p.Total; bar.Value = p.Done; }), cancellationToken).ConfigureAwait(false);
                    runs.Add(run);
                }
            }

            // Progress bars only on a terminal, cleared when done: written to a file or a pipe, they leave stale lines ("…: 0%").
            if (console.Profile.Capabilities.Interactive)
            {
                await console.Progress().AutoClear(true).StartAsync(RunAll).ConfigureAwait(false);
            }
            else
            {
                await RunAll(null).ConfigureAwait(false);
            }

            // Only a complete run replaces results: a failed or cancelled one leaves every results file as it was.
            foreach (var run in runs)
            {
                run.Write(EvalRun.PathFor(app.ResultsDirectory(parse), run.Task));
            }

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
            if (options.Recorder is { } recorder)
            {
                var path = parse.GetValue(record)!.FullName;
                recorder.Save(path);
                console.MarkupLineInterpolated($"Recorded {recorder.Count} answer(s) to {path}.");
            }

            // Missing answers are not evidence: the run fails, naming what is missing and how to ask for it again.
            var incomplete = runs.Select(r => r.DescribeMissing()).OfType<string>().ToArray();
            foreach (var message in incomplete)
            {
                console.MarkupLineInterpolated($"[red]error:[/] {message}");
            }

            return incomplete.Length == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// Resolves <c>Task=semantic</c> (the task's <see cref="SemanticScorer"/>, judged through <paramref name="options"/>'
    /// providers and cache) and <c>Task=Namespace.Type.Method</c> scorer names among the loaded assemblies.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "The tool is not trimmed.")]
    internal static Dictionary<string, object> Scorers(IEnumerable<string> specs, IReadOnlyList<RoutedTask> tasks, EvalRunOptions options)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var (name, method) = spec.Split('=', 2) is [var n, var m] ? (n, m) : throw new InvalidOperationException($"--scorer '{spec}' is not Task={SemanticScorer.Keyword} or Task=Namespace.Type.Method.");
            var task = tasks.FirstOrDefault(t => t.Name == name) ?? throw new InvalidOperationException($"--scorer names task '{name}', which is not a routed task.");
            if (method == SemanticScorer.Keyword)
            {
                result[name] = SemanticScorer.Create(task, options);
                continue;
            }

            var dot = method.LastIndexOf('.');
            var typeName = dot > 0 ? method[..dot] : throw new InvalidOperationException($"--scorer '{spec}': give '{SemanticScorer.Keyword}' or the method as Namespace.Type.Method.");
            var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null)
                ?? throw new InvalidOperationException($"--scorer '{spec}': type {typeName} not found in the application.");
            var factory = typeof(EvalScorers).GetMethod(nameof(EvalScorers.FromStaticMethod))!.MakeGenericMethod(task.ResultType);
            try
            {
                result[name] = factory.Invoke(null, [type, method[(dot + 1)..]])!;
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is InvalidOperationException inner)
            {
                throw inner;
            }
        }

        return result;
    }

    /// <summary>Disposes the scorers that hold resources (a semantic scorer's judge) when the command ends.</summary>
    private sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items)
            {
                await item.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
