using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Replay;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>One deployment's answer to one eval example, as the router's gates saw it, with its score.</summary>
public sealed record EvalRecord
{
    /// <summary>The example's id.</summary>
    public required string ExampleId { get; init; }

    /// <summary>The tier the deployment serves.</summary>
    public required Tier Tier { get; init; }

    /// <summary>The deployment's provider key.</summary>
    public required string Provider { get; init; }

    /// <summary>The deployment's model.</summary>
    public required string Model { get; init; }

    /// <summary>Whether the answer passed every gate (no confidence gate is applied while evaluating).</summary>
    public bool Answered { get; init; }

    /// <summary>The gate outcome.</summary>
    public AttemptOutcome Outcome { get; init; }

    /// <summary>
    /// What kind of availability failure left the example without an answer from the deployment (after the router's
    /// retries), or <see cref="ProviderFailureKind.None"/> when it answered (the answer may still have failed a gate).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public ProviderFailureKind Failure { get; init; }

    /// <summary>
    /// Whether the deployment gave no answer (a provider error after retries, an open circuit, a replay miss): the
    /// example is missing from the evidence, unlike a wrong or refused answer, which is evidence.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Missing => Outcome.IsAvailabilityFailure();

    /// <summary>Why a gate failed, if one did.</summary>
    public string? Reason { get; init; }

    /// <summary>The answer's confidence, when the provider reported one.</summary>
    public double? Confidence { get; init; }

    /// <summary>Whether the answer is correct.</summary>
    public bool Correct { get; init; }

    /// <summary>Where the answer differs from the expected value.</summary>
    public string? Mismatch { get; init; }

    /// <summary>The attempt's cost in USD.</summary>
    public double CostUsd { get; init; }

    /// <summary>The attempt's latency in milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>The accepted answer as JSON text (or the text of a text task).</summary>
    public string? Answer { get; init; }
}

/// <summary>A task's evaluation: every reachable tier's deployments on every example of its eval set.</summary>
public sealed record EvalRun
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>The prompt hash evaluated.</summary>
    public required string PromptHash { get; init; }

    /// <summary>The schema hash evaluated, null for text tasks.</summary>
    public string? SchemaHash { get; init; }

    /// <summary>The eval set hash evaluated.</summary>
    public required string EvalSetHash { get; init; }

    /// <summary>The hash of the task's chat options evaluated, null when it set none.</summary>
    public string? ChatOptionsHash { get; init; }

    /// <summary>The examples' ids in eval set order.</summary>
    public required IReadOnlyList<string> Examples { get; init; }

    /// <summary>Every record, ordered by tier, deployment and example.</summary>
    public required IReadOnlyList<EvalRecord> Records { get; init; }

    /// <summary>
    /// The scorer that decided every record's <see cref="EvalRecord.Correct"/> (<see cref="IEvalScorer{T}.Name"/>, e.g.
    /// <c>exact text</c>), or <see langword="null"/> in results written before the scorer was recorded.
    /// </summary>
    public string? Scorer { get; init; }

    /// <summary>
    /// The answers missing from the evidence (<see cref="EvalRecord.Missing"/>), per deployment and failure kind, with
    /// one of their reasons; empty when every deployment answered every example. Written to the file for the reader;
    /// always recomputed from <see cref="Records"/>.
    /// </summary>
    public IReadOnlyList<MissingAnswers> Missing => Records.Where(r => r.Missing)
        .GroupBy(r => (r.Tier, r.Provider, r.Model, Failure: r.Failure != ProviderFailureKind.None ? r.Failure // results written before failures were recorded:
            : r.Outcome == AttemptOutcome.CircuitOpen ? ProviderFailureKind.CircuitOpen : ProviderFailureKind.Other))
        .Select(g => new MissingAnswers(g.Key.Tier, g.Key.Provider, g.Key.Model, g.Key.Failure, g.Count(), g.First().Reason))
        .ToArray();

    /// <summary>Whether every deployment answered every example (<see cref="Missing"/> is empty): only complete results can be calibrated.</summary>
    public bool Complete => !Records.Any(r => r.Missing);

    /// <summary>
    /// What is missing, in words, and the fix: the task, per deployment the failure kind, the count and a reason, and the
    /// command that asks again for the missing answers only; <see langword="null"/> when <see cref="Complete"/>.
    /// </summary>
    /// <returns>The message.</returns>
    public string? DescribeMissing()
    {
        var missing = Missing;
        if (missing.Count == 0)
        {
            return null;
        }

        var each = missing.Select(m => FormattableString.Invariant($"{m.Tier} {m.Provider}/{m.Model}: {m.Count} × {m.Failure}{(m.Reason is { } reason ? $" ({reason})" : string.Empty)}"));
        return FormattableString.Invariant($"{Task}: {missing.Sum(m => m.Count)} of {Records.Count} answers are missing after retries, so its results are incomplete: {string.Join("; ", each)}. ")
            + $"Fix the cause, then run: {ToolCommand.Run($"eval --task {Task}")} (answers received are cached: only the missing ones are asked again).";
    }

    /// <summary>Where a task's results are stored under a results directory.</summary>
    /// <param name="directory">The results directory.</param>
    /// <param name="task">The task's name.</param>
    /// <returns>The file's path.</returns>
    public static string PathFor(string directory, string task) => Path.Combine(directory, task + ".eval.json");

    /// <summary>Writes the run.</summary>
    /// <param name="path">The file.</param>
    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>Reads a run.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidDataException">The file is not eval results (the message names it and the fix).</exception>
    public static EvalRun Read(string path)
    {
        EvalRun? run;
        try
        {
            run = JsonSerializer.Deserialize<EvalRun>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw Corrupt(path, ex.Message, ex);
        }

        return run is null ? throw Corrupt(path, "the file holds null")
            : run.Examples.Any(e => e is null) ? throw Corrupt(path, "'examples' holds a null id")
            : run.Records.Any(r => r is null) ? throw Corrupt(path, "'records' holds a null record")
            : run;

        static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
            new($"{path} is not eval results ({problem}). Re-create it: {ToolCommand.Run("eval")}", inner);
    }

    /// <summary>
    /// Calibration examples over the tiers, cheapest first: per tier the attempt the runtime would make (its first
    /// deployment, falling over to the next one when it was unavailable (provider error or open circuit), paying for each).
    /// </summary>
    /// <returns>The tiers and the examples.</returns>
    public (IReadOnlyList<Tier> Tiers, IReadOnlyList<CalibrationExample> Examples) ToCalibration()
    {
        var tiers = Records.Select(r => r.Tier).Distinct().Order().ToArray();
        var byTier = tiers.ToDictionary(t => t, t => Records.Where(r => r.Tier == t).GroupBy(r => r.ExampleId).ToDictionary(g => g.Key, g => g.ToArray()));
        var examples = Examples.Select(id => new CalibrationExample(id, tiers.Select(t =>
        {
            var cost = 0d;
            foreach (var record in byTier[t].TryGetValue(id, out var records) ? records : [])
            {
                cost += record.CostUsd;
                if (!record.Outcome.IsAvailabilityFailure())
                {
                    return new TierObservation(record.Answered, record.Confidence, record.Correct, cost);
                }
            }

            return TierObservation.Missing with { CostUsd = cost };
        }).ToArray())).ToArray();
        return (tiers, examples);
    }
}

/// <summary>Answers one deployment did not give (availability failures after the router's retries), of one kind.</summary>
/// <param name="Tier">The deployment's tier.</param>
/// <param name="Provider">The deployment's provider key.</param>
/// <param name="Model">The deployment's model.</param>
/// <param name="Failure">The kind of failure.</param>
/// <param name="Count">How many examples it left unanswered.</param>
/// <param name="Reason">One of the failures' reasons.</param>
public sealed record MissingAnswers(Tier Tier, string Provider, string Model, ProviderFailureKind Failure, int Count, string? Reason);

/// <summary>Options of <see cref="EvalRunner"/>.</summary>
public sealed record EvalRunOptions
{
    /// <summary>The tiers and deployments (the application's <c>RoutedPrompts</c> configuration).</summary>
    public required RoutedPromptsOptions Routing { get; init; }

    /// <summary>Registers the keyed <see cref="IChatClient"/>s the deployments name.</summary>
    public required Action<IServiceCollection> Providers { get; init; }

    /// <summary>Where <see cref="Routing"/> comes from, for messages (e.g. the path of <c>routedprompts.json</c>).</summary>
    public string RoutingSource { get; init; } = "the RoutedPrompts configuration";

    /// <summary>The response cache directory, or <see langword="null"/> for none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// What answers the providers (part of every cache key): <see langword="null"/> for the real providers, or e.g. a
    /// recording's hash, so recorded answers never stand in for real ones in a shared cache (or for another recording's).
    /// </summary>
    public string? CacheScope { get; init; }

    /// <summary>Records every answer the providers give (the cache's included) for <c>eval --record</c>, or <see langword="null"/>.</summary>
    public ReplayRecorder? Recorder { get; init; }

    /// <summary>How many requests run at once (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>How answers are compared with the expected values.</summary>
    public JsonComparisonOptions Comparison { get; init; } = new();

    /// <summary>A user scorer for a task (by name), replacing the JSON comparison; typed as <c>IEvalScorer&lt;T&gt;</c>.</summary>
    public IReadOnlyDictionary<string, object> Scorers { get; init; } = new Dictionary<string, object>();
}

/// <summary>
/// Runs every deployment of every tier a task can reach on its eval set, each through the product's own
/// <see cref="PromptRouter"/> (one router over the evaluated tiers: the same channels, chat options and gates as at run
/// time, no confidence threshold), with bounded concurrency and an on-disk response cache, and scores every answer.
/// </summary>
public static class EvalRunner
{
    /// <summary>Evaluates one task.</summary>
    /// <param name="task">The task.</param>
    /// <param name="evalSetPath">Its eval set file.</param>
    /// <param name="options">Deployments, providers, cache, concurrency and scoring.</param>
    /// <param name="progress">Receives the number of finished requests and the total, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run.</returns>
    /// <exception cref="EvalSetException">The eval set is malformed.</exception>
    /// <exception cref="InvalidOperationException">
    /// There is nothing to evaluate: no deployment (<see cref="Deployments"/>) or no example; or the task's descriptor was
    /// written by hand (see <see cref="EvalExample.Messages"/>).
    /// </exception>
    /// <exception cref="InvalidDataException">A response cache entry is corrupt (the run stops; the message names the file).</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "The tool is not trimmed.")]
    public static Task<EvalRun> RunAsync(RoutedTask task, string evalSetPath, EvalRunOptions options, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var method = typeof(EvalRunner).GetMethod(nameof(RunTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(task.ResultType);
        return (Task<EvalRun>)method.Invoke(null, [task, evalSetPath, options, progress, cancellationToken])!;
    }

    /// <summary>The deployments evaluated for a task: every deployment of every tier it can reach (the router's range, configuration included), from its declared tier up.</summary>
    /// <param name="task">The task.</param>
    /// <param name="options">The run's options (deployments per tier, and where they come from).</param>
    /// <returns>Each deployment with its tier, cheapest tier first, each tier's deployments in configured order.</returns>
    /// <exception cref="InvalidOperationException">No deployment serves any of the task's tiers: evaluating it would evaluate nothing.</exception>
    public static IReadOnlyList<(Tier Tier, DeploymentOptions Deployment)> Deployments(RoutedTask task, EvalRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        // The tiers the router can reach (configuration narrows them), from the declared tier up: calibration picks the start.
        var configured = options.Routing.Tasks.GetValueOrDefault(task.Name);
        var (first, last) = Shared.TierRange.Reachable((int)(task.DeclaredTier ?? task.Tier), (int)task.MaxTier, (int?)configured?.Tier, (int?)configured?.MaxTier);
        var (from, to) = ((Tier)first, (Tier)last);
        var jobs = new List<(Tier, DeploymentOptions)>();
        for (var tier = from; tier <= to; tier++)
        {
            var deployments = options.Routing.Tiers.TryGetValue(tier.ToString(), out var tierOptions) ? tierOptions?.Deployments ?? [] : [];
            jobs.AddRange(deployments.Select(d => (tier, d)));
        }

        return jobs.Count > 0
            ? jobs
            : throw new InvalidOperationException(
                $"{options.RoutingSource} has no deployment for the tiers of {task.Name} ({from}{(to > from ? $" to {to}" : string.Empty)}): nothing to evaluate. Add one under RoutedPrompts:Tiers:{from}:Deployments.");
    }

    private static async Task<EvalRun> RunTypedAsync<T>(RoutedTask<T> task, string evalSetPath, EvalRunOptions options, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var evalSetText = await File.ReadAllTextAsync(evalSetPath, cancellationToken).ConfigureAwait(false);
        var examples = EvalSet.Parse(evalSetText, evalSetPath, task);
        var scorer = options.Scorers.TryGetValue(task.Name, out var custom)
            ? custom as IEvalScorer<T> ?? throw new InvalidOperationException($"The scorer registered for {task.Name} is not an IEvalScorer<{typeof(T).Name}>.")
            : EvalScorers.JsonFields<T>(value => JsonSerializer.SerializeToElement(value, task.JsonTypeInfo!), options.Comparison);

        if (examples.Count == 0)
        {
            throw new InvalidOperationException($"{evalSetPath} has no examples: nothing to evaluate. Add one JSON object per line (docs/file-formats.md).");
        }

        var messages = examples.Select(e => e.Messages(task)).ToArray(); // before any request: a hand-written descriptor is refused
        var jobs = Deployments(task, options);
        var total = jobs.Count * examples.Count;
        var done = 0;
        var records = new ConcurrentBag<(int Job, int Example, EvalRecord Record)>();

        // A corrupt cache entry stops the run: the router would take the cache's error for a provider failure, so the
        // cache reports it here and the run is cancelled from within.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        InvalidDataException? corrupt = null;
        void Corrupt(InvalidDataException error)
        {
            Interlocked.CompareExchange(ref corrupt, error, null);
            stop.Cancel();
        }

        var services = new ServiceCollection();
        options.Providers(services);
        if (options.CacheDirectory is not null || options.Recorder is not null)
        {
            foreach (var name in jobs.Select(j => j.Deployment.Provider).Distinct(StringComparer.Ordinal))
            {
                Decorate(services, name, options, Corrupt);
            }
        }

        // One router over the tiers evaluated, as the app configures them (deployments and resilience, global and per
        // tier); each job tries one deployment through it, without a confidence threshold.
        services.AddRoutedPrompts(o =>
        {
            o.Resilience = options.Routing.Resilience;
            foreach (var tier in jobs.Select(j => j.Tier).Distinct())
            {
                var tierOptions = options.Routing.Tiers[tier.ToString()];
                o.Tiers[tier.ToString()] = new TierOptions { Deployments = tierOptions.Deployments, Resilience = tierOptions.Resilience };
            }

            // The task's configuration, whose chat options the router applies as at run time; its routing settings (tiers,
            // threshold) do not apply, as each job names its tier and deployment and asks for no threshold.
            if (options.Routing.Tasks.GetValueOrDefault(task.Name) is { } configured)
            {
                o.Tasks[task.Name] = configured;
            }
        });
        services.AddSingleton(new RoutedTaskSource(() => [])); // the router is told which deployment to try: no task's start tier is checked
        var provider = services.BuildServiceProvider();
        try
        {
            var router = provider.GetRequiredService<PromptRouter>();
            var work = jobs.SelectMany((job, j) =>
            {
                var index = jobs.Take(j).Count(other => other.Tier == job.Tier); // the deployment's position in its tier
                return examples.Select((_, e) => (Job: j, Example: e, Index: index));
            }).ToArray();
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrency), CancellationToken = stop.Token }, async (item, ct) =>
            {
                var example = examples[item.Example];
                var (tier, deployment) = jobs[item.Job];
                string? answer = null;
                EvalScore score = default;
                var (attempt, value) = await router.AttemptAsync(task, tier, item.Index, messages[item.Example], threshold: null, ct).ConfigureAwait(false);
                if (attempt.Accepted)
                {
                    answer = value is string text ? text : JsonSerializer.Serialize(value, task.JsonTypeInfo!);
                    score = await scorer.ScoreAsync(value!, example, ct).ConfigureAwait(false);
                }

                records.Add((item.Job, item.Example, new EvalRecord
                {
                    ExampleId = example.Id,
                    Tier = tier,
                    Provider = deployment.Provider,
                    Model = deployment.Model,
                    Answered = attempt.Accepted,
                    Outcome = attempt.Outcome,
                    Failure = attempt.Failure,
                    Reason = attempt.Reason,
                    Confidence = attempt.Confidence,
                    Correct = attempt.Accepted && score.Correct,
                    Mismatch = score.Mismatch,
                    CostUsd = (double)attempt.CostUsd,
                    LatencyMs = attempt.Latency.TotalMilliseconds,
                    InputTokens = attempt.InputTokens,
                    OutputTokens = attempt.OutputTokens,
                    Answer = answer,
                }));
                progress?.Report((Interlocked.Increment(ref done), total));
            }).ConfigureAwait(false);
        }
        catch (Exception) when (corrupt is not null)
        {
            // Whatever the stop looked like from inside the router, the cause is the corrupt entry (thrown below).
        }
        finally
        {
            await provider.DisposeAsync().ConfigureAwait(false);
        }

        if (corrupt is not null)
        {
            throw corrupt;
        }

        var hashes = TaskHashes.Of(task, evalSetText, options.Routing);
        return new EvalRun
        {
            Task = task.Name,
            PromptHash = hashes.Prompt,
            SchemaHash = hashes.Schema,
            EvalSetHash = hashes.EvalSet,
            ChatOptionsHash = hashes.ChatOptions,
            Examples = examples.Select(e => e.Id).ToArray(),
            Records = records.OrderBy(r => r.Job).ThenBy(r => r.Example).Select(r => r.Record).ToArray(),
            Scorer = scorer.Name,
        };
    }

    /// <summary>Wraps the provider's keyed chat client in the on-disk cache and, outside it, the recorder.</summary>
    internal static void Decorate(IServiceCollection services, string provider, EvalRunOptions options, Action<InvalidDataException> corrupt)
    {
        var registration = services.LastOrDefault(d => d.ServiceType == typeof(IChatClient) && Equals(d.ServiceKey, provider))
            ?? throw new InvalidOperationException($"No chat client is registered for provider '{provider}'.");
        services.Remove(registration);
        services.AddKeyedSingleton<IChatClient>(provider, (sp, key) =>
        {
            var inner = registration.KeyedImplementationInstance as IChatClient
                ?? (IChatClient?)registration.KeyedImplementationFactory?.Invoke(sp, key)
                ?? (registration.KeyedImplementationType is { } type ? (IChatClient)ActivatorUtilities.CreateInstance(sp, type) : null)
                ?? throw new InvalidOperationException($"Provider '{provider}' is not an IChatClient instance or factory.");
            var cached = options.CacheDirectory is { } directory
                ? new DiskCacheChatClient(inner, directory, options.CacheScope is { } scope ? provider + "@" + scope : provider, corrupt)
                : inner;
            return options.Recorder is { } recorder ? new RecordingChatClient(cached, recorder) : cached;
        });
    }
}
