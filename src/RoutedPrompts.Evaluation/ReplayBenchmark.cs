using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Replay;

namespace RoutedPrompts.Evaluation;

/// <summary>One recorded-runs file replayed: what calibration on <c>train</c> chose and what routing <c>test</c> measured.</summary>
/// <param name="Name">The file's name without extension.</param>
/// <param name="Models">The candidate models, cheapest first (by mean train cost); the last is the top model.</param>
/// <param name="Calibration">The calibration on the train split.</param>
/// <param name="TrainQueries">Train queries.</param>
/// <param name="TestQueries">Test queries routed.</param>
/// <param name="TopAccuracy">The top model's test accuracy (routed alone through the router).</param>
/// <param name="TopCostPerRequestUsd">The top model's mean recorded cost per test query.</param>
/// <param name="CascadeAccuracy">The calibrated cascade's test accuracy, routed through the router.</param>
/// <param name="CascadeCostPerRequestUsd">The cascade's mean cost per test query, rejected attempts included.</param>
/// <param name="EscalationRate">The share of test queries that escalated past the cascade's first tier.</param>
/// <param name="Unanswered">Test queries where no tier produced an acceptable answer (scored wrong).</param>
public sealed record ReplayFileResult(
    string Name, IReadOnlyList<string> Models, CalibrationResult Calibration, int TrainQueries, int TestQueries,
    double TopAccuracy, double TopCostPerRequestUsd, double CascadeAccuracy, double CascadeCostPerRequestUsd,
    double EscalationRate, int Unanswered)
{
    /// <summary>The top model.</summary>
    public string TopModel => Models[^1];

    /// <summary>The models of the chosen cascade, first tier first.</summary>
    public IReadOnlyList<string> Chain => Calibration.Policy.Chain.Select(i => Models[i]).ToArray();

    /// <summary>Test accuracy lost against the top model (negative when the cascade is better).</summary>
    public double AccuracyDrop => TopAccuracy - CascadeAccuracy;

    /// <summary>The share of the top model's test cost saved.</summary>
    public double Saving => TopCostPerRequestUsd > 0 ? 1 - (CascadeCostPerRequestUsd / TopCostPerRequestUsd) : 0;

    /// <summary>Every strategy routed on the test split, in <see cref="ReplayStrategy"/> order (the cascade alone first).</summary>
    public IReadOnlyList<ReplayStrategyResult> Strategies { get; init; } = [];

    /// <summary>The result of one strategy.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>Its result on the test split.</returns>
    /// <exception cref="KeyNotFoundException">The strategy was not run.</exception>
    public ReplayStrategyResult Strategy(ReplayStrategy strategy) =>
        Strategies.FirstOrDefault(s => s.Strategy == strategy) ?? throw new KeyNotFoundException($"{Name}: strategy {strategy} was not replayed.");
}

/// <summary>A routing strategy <see cref="ReplayBenchmark"/> routes each file's test split with, side by side.</summary>
public enum ReplayStrategy
{
    /// <summary>The calibrated cascade alone: every request starts at its first tier.</summary>
    Cascade = 0,

    /// <summary>
    /// The fixed routing rules (<see cref="ReplayBenchmark.Rules"/>) in front of the calibrated cascade: a request a rule
    /// matches skips the cascade's first tier, the rest of the cascade (thresholds included) is unchanged.
    /// </summary>
    RulesCascade = 1,

    /// <summary>
    /// The fixed routing rules alone: the cascade's tiers without its confidence thresholds, so the tier a request starts
    /// at (the first, or the second when a rule matches) answers it unless the router's gates reject the answer.
    /// </summary>
    RulesAlone = 2,

    /// <summary>
    /// The start-tier classifier trained on the train split in front of the calibrated cascade: a request it predicts the
    /// first tier will not answer acceptably and correctly skips the first tier. When training switched the classifier
    /// off, this is the cascade alone.
    /// </summary>
    ClassifierCascade = 3,
}

/// <summary>One strategy routed on a file's test split through the product's router.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Accuracy">Its test accuracy.</param>
/// <param name="CostPerRequestUsd">Its mean cost per test query: every attempt's recorded cost plus the strategy's own (a classifier's; zero for hashed n-grams).</param>
/// <param name="EscalationRate">The share of test queries that went past the tier they started at.</param>
/// <param name="RaisedStartRate">The share of test queries that started past the cascade's first tier (a rule or the classifier raised the start).</param>
/// <param name="Unanswered">Test queries where no tier produced an acceptable answer (scored wrong).</param>
/// <param name="TopAccuracy">The top model's test accuracy.</param>
/// <param name="TopCostPerRequestUsd">The top model's mean cost per test query.</param>
/// <param name="Note">What the strategy did on this file in words (the classifier's reason when it is off), or <see langword="null"/>.</param>
public sealed record ReplayStrategyResult(
    ReplayStrategy Strategy, double Accuracy, double CostPerRequestUsd, double EscalationRate, double RaisedStartRate, int Unanswered,
    double TopAccuracy, double TopCostPerRequestUsd, string? Note)
{
    /// <summary>Test accuracy lost against the top model (negative when the strategy is better).</summary>
    public double AccuracyDrop => TopAccuracy - Accuracy;

    /// <summary>The share of the top model's test cost saved.</summary>
    public double Saving => TopCostPerRequestUsd > 0 ? 1 - (CostPerRequestUsd / TopCostPerRequestUsd) : 0;
}

/// <summary>
/// Replays recorded model runs through the product's own <see cref="PromptRouter"/> and gates (answers from a
/// <see cref="ReplayChatClient"/>): observes every model on the <c>train</c> split, calibrates the cascade there, then
/// routes every <c>test</c> query through the calibrated cascade and scores the answers. No model is called.
/// </summary>
public static class ReplayBenchmark
{
    /// <summary>
    /// The "long prompt" rule's bound: a request whose user messages hold at least this many characters skips the
    /// cascade's first tier. Fixed once for every file before any strategy was measured (about 500 tokens at four
    /// characters per token, a page of text); never tuned on test, on train or per file.
    /// </summary>
    public const int LongPromptCharacters = 2000;

    private const string Provider = "replay";

    /// <summary>
    /// The routing rules every file is replayed with, defined once for all files (never per file, never tuned): a prompt
    /// with code, or one of at least <see cref="LongPromptCharacters"/> characters, skips the cascade's first tier and
    /// starts at <paramref name="secondTier"/>, the cascade's second tier.
    /// </summary>
    /// <param name="secondTier">The tier after the cascade's first.</param>
    /// <returns>The rules, in order (first match wins).</returns>
    public static IReadOnlyList<RoutingRuleOptions> Rules(Tier secondTier) =>
    [
        new() { Name = "code-skips-first-tier", When = new RoutingRuleConditions { HasCode = true }, StartTier = secondTier },
        new() { Name = "long-prompt-skips-first-tier", When = new RoutingRuleConditions { MinPromptLength = LongPromptCharacters }, StartTier = secondTier },
    ];
    private static readonly Tier[] ChainTiers = [Tier.Small, Tier.Medium, Tier.Large];

    /// <summary>Replays one file: calibrates on its train split, then routes its test split.</summary>
    /// <param name="path">A recorded-runs JSONL file (see <c>../shared/datasets/README.md</c>).</param>
    /// <param name="options">Calibration options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>The measured result.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or has no train or no test queries.</exception>
    public static async Task<ReplayFileResult> RunAsync(string path, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CalibrationOptions();
        var calibrated = await CalibrateAsync(path, options, cancellationToken).ConfigureAwait(false);
        var (recording, scores, models, calibration, trainCount) = calibrated;
        var test = recording.Queries.Where(q => q.Split == "test").ToArray();

        // The calibrated cascade as the router runs it: the chain's models on the top tiers, each non-top member's threshold.
        var chain = calibration.Policy.Chain.Select(i => models[i]).ToArray();
        var tiers = ChainTiers[^chain.Length..];
        var thresholds = new Dictionary<Tier, double>();
        for (var i = 0; i < chain.Length; i++)
        {
            if (calibration.Policy.Thresholds[i] is { } threshold)
            {
                thresholds[tiers[i]] = threshold;
            }
        }

        // Route test through the top model alone and through every strategy, with the product's router.
        var top = await RouteTestAsync(recording, scores, [models[^1]], [], Task(Tier.Large, null), test, cancellationToken).ConfigureAwait(false);
        var strategies = new List<ReplayStrategyResult>
        {
            (await RouteTestAsync(recording, scores, chain, [], Task(tiers[0], thresholds), test, cancellationToken).ConfigureAwait(false))
                .Result(ReplayStrategy.Cascade, top, null),
        };

        var cascade = strategies[0];

        // The fixed rules skip the cascade's first tier; a cascade of one tier has none to skip, so they change nothing there.
        if (tiers.Length > 1)
        {
            IReadOnlyList<Action<RoutedPromptsOptions>> withRules = [o => o.Rules.AddRange(Rules(tiers[1]))];
            strategies.Add((await RouteTestAsync(recording, scores, chain, withRules, Task(tiers[0], thresholds), test, cancellationToken).ConfigureAwait(false))
                .Result(ReplayStrategy.RulesCascade, top, null));
            strategies.Add((await RouteTestAsync(recording, scores, chain, withRules, Task(tiers[0], null), test, cancellationToken).ConfigureAwait(false))
                .Result(ReplayStrategy.RulesAlone, top, null));
        }
        else
        {
            const string OneTier = "one tier: no first tier to skip";
            strategies.Add(cascade with { Strategy = ReplayStrategy.RulesCascade, Note = OneTier });
            strategies.Add(cascade with { Strategy = ReplayStrategy.RulesAlone, Note = OneTier });
        }
        // The start-tier classifier, trained on train with the same options, in front of the cascade. Hashed n-grams call
        // no model, so it adds no cost; when training switched it off the task has none, which is the cascade alone.
        var trained = StartTierClassifier.Train(calibrated.Train.Select(q => q.Messages).ToArray(), calibrated.TrainExamples, calibration, options, cancellationToken);
        strategies.Add((await RouteTestAsync(recording, scores, chain, [], Task(tiers[0], thresholds, trained.Classifier), test, cancellationToken).ConfigureAwait(false))
            .Result(ReplayStrategy.ClassifierCascade, top, trained.Reason, strategyCostPerRequestUsd: 0));

        return new ReplayFileResult(
            Path.GetFileNameWithoutExtension(path), models, calibration, trainCount, test.Length,
            top.Accuracy, top.CostPerRequestUsd, cascade.Accuracy, cascade.CostPerRequestUsd, cascade.EscalationRate, cascade.Unanswered)
        {
            Strategies = strategies,
        };
    }

    /// <summary>Observes every model on the train split through the router's gates and calibrates there; the test split is not touched.</summary>
    /// <param name="path">A recorded-runs JSONL file.</param>
    /// <param name="options">Calibration options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the calibration.</param>
    /// <returns>The recording, its scores, the candidate models (cheapest first) and the calibration.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or has no train or no test queries.</exception>
    public static async Task<Calibrated> CalibrateAsync(string path, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CalibrationOptions();
        var recording = ReplayRecording.Load(path);
        var scores = RecordedScores.Load(path);
        var train = recording.Queries.Where(q => q.Split == "train").ToArray();
        var test = recording.Queries.Count(q => q.Split == "test");
        if (train.Length == 0 || test == 0)
        {
            throw new InvalidDataException($"{path}: replay needs both a train and a test split (found {train.Length} train, {test} test queries).");
        }

        // 1. Observe every model alone on train, through the router's gates (no confidence threshold).
        var observed = new Dictionary<string, TierObservation[]>(StringComparer.Ordinal);
        foreach (var model in recording.Models)
        {
            observed[model] = await ObserveAsync(recording, scores, train, model, cancellationToken).ConfigureAwait(false);
        }

        // 2. Candidate tiers cheapest first by mean train cost; the most expensive model is the top tier.
        var models = observed.OrderBy(p => p.Value.Average(o => o.CostUsd)).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToArray();
        var examples = train.Select((q, i) => new CalibrationExample(q.Id ?? q.Fingerprint, models.Select(m => observed[m][i]).ToArray())).ToArray();
        var calibration = new CascadeCalibrator(options).Calibrate(examples, models, cancellationToken);
        return new Calibrated(recording, scores, models, calibration, train.Length) { Train = train, TrainExamples = examples };
    }

    /// <summary>Routes each query to <paramref name="model"/> alone, through the router's gates without a confidence threshold, and scores it.</summary>
    /// <param name="recording">The recording.</param>
    /// <param name="scores">Its ground truth.</param>
    /// <param name="queries">The queries.</param>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One observation per query.</returns>
    internal static async Task<TierObservation[]> ObserveAsync(ReplayRecording recording, RecordedScores scores, IReadOnlyList<ReplayQuery> queries, string model, CancellationToken cancellationToken)
    {
        using var solo = Build(recording, [model]);
        var task = Task(Tier.Large, null);
        var row = new TierObservation[queries.Count];
        for (var i = 0; i < queries.Count; i++)
        {
            var outcome = await RouteAsync(solo.Router(), task, queries[i], cancellationToken).ConfigureAwait(false);
            var attempt = outcome.Attempts[^1];
            row[i] = attempt.IsAvailabilityFailure
                ? TierObservation.Missing
                : new TierObservation(outcome.Answered, attempt.Confidence, outcome.Answered && scores.IsCorrect(queries[i].Line, model), (double)attempt.CostUsd);
        }

        return row;
    }

    /// <summary>A calibration on a recording's train split.</summary>
    /// <param name="Recording">The recording.</param>
    /// <param name="Scores">Its ground truth (for scoring only).</param>
    /// <param name="Models">Candidate models, cheapest first; the last is the top model.</param>
    /// <param name="Calibration">The calibration.</param>
    /// <param name="TrainQueries">How many train queries it was fitted on.</param>
    public sealed record Calibrated(ReplayRecording Recording, RecordedScores Scores, IReadOnlyList<string> Models, CalibrationResult Calibration, int TrainQueries)
    {
        /// <summary>The train queries, in the order of <see cref="TrainExamples"/>.</summary>
        public IReadOnlyList<ReplayQuery> Train { get; init; } = [];

        /// <summary>What every model did on each train query (tiers in <see cref="Models"/> order): the calibration's data.</summary>
        public IReadOnlyList<CalibrationExample> TrainExamples { get; init; } = [];
    }

    private readonly record struct RouteOutcome(bool Answered, IReadOnlyList<RoutingAttempt> Attempts);

    private static async Task<RouteOutcome> RouteAsync(PromptRouter router, RoutedTask<string> task, ReplayQuery query, CancellationToken cancellationToken)
    {
        try
        {
            var routed = await router.RouteAsync(task, query.Messages, cancellationToken).ConfigureAwait(false);
            return new RouteOutcome(true, routed.Attempts);
        }
        catch (RoutingException ex)
        {
            return new RouteOutcome(false, ex.Attempts);
        }
    }

    /// <summary>What routing a split through one router measured.</summary>
    private sealed record Measured(int Queries, int Correct, decimal CostUsd, int Escalated, int RaisedStart, int Unanswered)
    {
        public double Accuracy => (double)Correct / Queries;

        public double CostPerRequestUsd => (double)CostUsd / Queries;

        public ReplayStrategyResult Result(ReplayStrategy strategy, Measured top, string? note, double strategyCostPerRequestUsd = 0) => new(
            strategy, Accuracy, CostPerRequestUsd + strategyCostPerRequestUsd, (double)Escalated / Queries, (double)RaisedStart / Queries, Unanswered,
            top.Accuracy, top.CostPerRequestUsd, note);
    }

    /// <summary>
    /// Routes every query through a router whose top tiers are <paramref name="chain"/> (with <paramref name="configure"/>
    /// applied to its options) and scores the accepted answers. A query escalated when an attempt left the tier it started
    /// at; its start was raised when it started past <paramref name="task"/>'s tier.
    /// </summary>
    private static async Task<Measured> RouteTestAsync(
        ReplayRecording recording, RecordedScores scores, IReadOnlyList<string> chain, IReadOnlyList<Action<RoutedPromptsOptions>> configure,
        RoutedTask<string> task, IReadOnlyList<ReplayQuery> queries, CancellationToken cancellationToken)
    {
        using var services = Build(recording, chain, configure);
        var router = services.Router();
        int correct = 0, escalated = 0, raised = 0, unanswered = 0;
        decimal cost = 0;
        foreach (var query in queries)
        {
            var routed = await RouteAsync(router, task, query, cancellationToken).ConfigureAwait(false);
            cost += routed.Attempts.Sum(a => a.CostUsd);
            var start = routed.Attempts.Count > 0 ? routed.Attempts[0].Tier : task.Tier;
            escalated += routed.Attempts.Any(a => a.Tier != start) ? 1 : 0;
            raised += start != task.Tier ? 1 : 0;
            unanswered += routed.Answered ? 0 : 1;
            correct += routed.Answered && scores.IsCorrect(query.Line, routed.Attempts[^1].Deployment.Model) ? 1 : 0;
        }

        return new Measured(queries.Count, correct, cost, escalated, raised, unanswered);
    }

    /// <summary>A router whose top tiers (from the top down: Large, Medium, Small) are the given models, unpriced so attempts cost what was recorded.</summary>
    private static ServiceProvider Build(ReplayRecording recording, IReadOnlyList<string> chain, IReadOnlyList<Action<RoutedPromptsOptions>>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient(Provider, new ReplayChatClient(recording));
        services.AddRoutedPrompts(options =>
        {
            // Tiers below the chain's first are never visited (the task starts there); they get its first model so the
            // options validate even when the process's catalog holds an application's tasks.
            var offset = ChainTiers.Length - chain.Count;
            for (var i = 0; i < ChainTiers.Length; i++)
            {
                options.Tiers[ChainTiers[i].ToString()] = new TierOptions { Deployments = [new DeploymentOptions { Provider = Provider, Model = chain[Math.Max(0, i - offset)] }] };
            }

            foreach (var step in configure ?? [])
            {
                step(options);
            }
        });
        return services.BuildServiceProvider();
    }

    private static RoutedTask<string> Task(Tier start, IReadOnlyDictionary<Tier, double>? thresholds, PromptClassifier? classifier = null) => new()
    {
        Classifier = classifier,
        Name = "Replay.Answer",
        DeclaringType = "RoutedPrompts.Evaluation.ReplayBenchmark",
        MethodName = "AnswerAsync",
        Tier = start,
        MaxTier = Tier.Large,
        Template = "{query}",
        Parameters = ["query"],
        TierConfidenceThresholds = thresholds,
    };
}

file static class RouterAccess
{
    public static PromptRouter Router(this ServiceProvider services) => services.GetRequiredService<PromptRouter>();
}
