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
}

/// <summary>
/// Replays recorded model runs through the product's own <see cref="PromptRouter"/> and gates (answers from a
/// <see cref="ReplayChatClient"/>): observes every model on the <c>train</c> split, calibrates the cascade there, then
/// routes every <c>test</c> query through the calibrated cascade and scores the answers. No model is called.
/// </summary>
public static class ReplayBenchmark
{
    private const string Provider = "replay";
    private static readonly Tier[] ChainTiers = [Tier.Small, Tier.Medium, Tier.Large];

    /// <summary>Replays one file: calibrates on its train split, then routes its test split.</summary>
    /// <param name="path">A recorded-runs JSONL file (see <c>../shared/datasets/README.md</c>).</param>
    /// <param name="options">Calibration options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>The measured result.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or has no train or no test queries.</exception>
    public static async Task<ReplayFileResult> RunAsync(string path, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (recording, scores, models, calibration, trainCount) = await CalibrateAsync(path, options, cancellationToken).ConfigureAwait(false);
        var test = recording.Queries.Where(q => q.Split == "test").ToArray();

        // Route test through the calibrated cascade, and through the top model alone, with the product's router.
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

        using var cascade = Build(recording, chain);
        using var topOnly = Build(recording, [models[^1]]);
        var cascadeTask = Task(tiers[0], thresholds);
        var topTask = Task(Tier.Large, null);
        int correct = 0, topCorrect = 0, escalated = 0, unanswered = 0;
        decimal cost = 0, topCost = 0;
        foreach (var query in test)
        {
            var routed = await RouteAsync(cascade.Router(), cascadeTask, query, cancellationToken).ConfigureAwait(false);
            cost += routed.Attempts.Sum(a => a.CostUsd);
            escalated += routed.Attempts.Any(a => a.Tier != tiers[0]) ? 1 : 0;
            unanswered += routed.Answered ? 0 : 1;
            correct += routed.Answered && scores.IsCorrect(query.Line, routed.Attempts[^1].Deployment.Model) ? 1 : 0;

            var top = await RouteAsync(topOnly.Router(), topTask, query, cancellationToken).ConfigureAwait(false);
            topCost += top.Attempts.Sum(a => a.CostUsd);
            topCorrect += top.Answered && scores.IsCorrect(query.Line, models[^1]) ? 1 : 0;
        }

        double n = test.Length;
        return new ReplayFileResult(
            Path.GetFileNameWithoutExtension(path), models, calibration, trainCount, test.Length,
            topCorrect / n, (double)topCost / n, correct / n, (double)cost / n, escalated / n, unanswered);
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
        return new Calibrated(recording, scores, models, calibration, train.Length);
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
    public sealed record Calibrated(ReplayRecording Recording, RecordedScores Scores, IReadOnlyList<string> Models, CalibrationResult Calibration, int TrainQueries);

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

    /// <summary>A router whose top tiers (from the top down: Large, Medium, Small) are the given models, unpriced so attempts cost what was recorded.</summary>
    private static ServiceProvider Build(ReplayRecording recording, IReadOnlyList<string> chain)
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
        });
        return services.BuildServiceProvider();
    }

    private static RoutedTask<string> Task(Tier start, IReadOnlyDictionary<Tier, double>? thresholds) => new()
    {
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
