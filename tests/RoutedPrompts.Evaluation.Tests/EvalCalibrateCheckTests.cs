using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Replay;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// eval → calibrate → check through the tool, with the replay client answering a synthetic recording: the small tier is
/// right when confident (≥ 0.9) and a coin toss otherwise; the large tier is always right.
/// </summary>
public sealed class EvalCalibrateCheckTests : IDisposable
{
    private const int Count = 240;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-eval-").FullName;

    public EvalCalibrateCheckTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), """
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small" } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "large" } ] } } } }
            """);
        var evalSet = new StringBuilder();
        var recording = new StringBuilder();
        var random = new Random(1);
        for (var i = 0; i < Count; i++)
        {
            var answer = i % 2 == 0 ? "A" : "B";
            var confident = i % 3 != 0;
            var small = confident || random.NextDouble() < 0.5 ? answer : (answer == "A" ? "B" : "A");
            var confidence = confident ? 0.9 + (0.09 * random.NextDouble()) : 0.3 + (0.5 * random.NextDouble());
            evalSet.Append(CultureInfo.InvariantCulture, $$"""{"id": "q{{i}}", "inputs": {"question": "Question {{i}}?"}, "expected": "{{answer}}"}""").Append('\n');
            recording.Append(CultureInfo.InvariantCulture, $$$$"""{"id": "r{{{{i}}}}", "messages": [{"role": "system", "content": "Answer A or B."}, {"role": "user", "content": "Q: Question {{{{i}}}}?"}], "responses": {"small": {"text": "{{{{small}}}}", "confidence": {{{{confidence:R}}}}, "cost_usd": 0.0001}, "large": {"text": "{{{{answer}}}}", "confidence": 0.99, "cost_usd": 0.001}}}""").Append('\n');
        }

        File.WriteAllText(Path.Combine(_dir, "evals", "answer.jsonl"), evalSet.ToString());
        File.WriteAllText(Path.Combine(_dir, "recording.jsonl"), recording.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A user scorer for the --scorer test: anything that is a single letter counts.</summary>
    public static bool AnyLetter(string actual, System.Text.Json.JsonElement expected) => actual.Length == 1 && expected.ValueKind == System.Text.Json.JsonValueKind.String;

    private static RoutedTask<string> Task(IReadOnlyDictionary<Tier, double>? thresholds = null) => TestTasks.Text(
        "Quiz.Answer", "Answer A or B.", "Q: {question}", ["question"], evalSet: "evals/answer.jsonl", thresholds: thresholds);

    private async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        var exit = await Cli.CliApp.RunAsync([.. args, "--project-dir", _dir], console, () => [Task()], new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero)));
        return (exit, console.Output.Replace("\n", string.Empty));
    }

    [Fact]
    public async Task Eval_then_calibrate_writes_a_lock_entry_that_check_accepts_and_the_router_honours()
    {
        Assert.Equal(1, (await Run("check")).Exit); // no lock file yet

        var eval = await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"), "--concurrency", "3");
        Assert.Equal(0, eval.Exit);
        var run = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer"));
        Assert.Equal(2 * Count, run.Records.Count);
        Assert.All(run.Records.Where(r => r.Model == "large"), r => Assert.True(r.Correct));
        Assert.Equal(0.001, run.Records.First(r => r.Model == "large").CostUsd, 9); // recorded cost (unpriced deployment)
        Assert.Equal(2 * Count, Directory.GetFiles(Path.Combine(_dir, ".routedprompts", "cache")).Length);

        var calibrate = await Run("calibrate");
        Assert.Equal(0, calibrate.Exit);
        Assert.Contains("Small earns the traffic", calibrate.Output);
        var entry = LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks["Quiz.Answer"];
        Assert.Equal("Small", entry.StartTier);
        Assert.InRange(entry.Thresholds["Small"], 0.8, 0.95);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero), entry.CalibratedAt);
        Assert.Equal(1.0, entry.Tiers["Large"].Accuracy);
        Assert.True(entry.Expected.Accuracy >= entry.Tiers["Large"].Accuracy - 0.01);

        Assert.Equal(0, (await Run("check")).Exit);

        var report = await Run("report");
        Assert.Equal(0, report.Exit);
        Assert.Contains("cascade", report.Output);
        var markdown = File.ReadAllText(Path.Combine(_dir, ".routedprompts", "report", "report.md"));
        Assert.Contains("## Quiz.Answer", markdown);
        Assert.Contains("| Large alone | 1.000 (", markdown);
        Assert.Contains("| **cascade** |", markdown);
        var html = File.ReadAllText(Path.Combine(_dir, ".routedprompts", "report", "report.html"));
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain(" src=", html); // self-contained
        var svg = System.Xml.Linq.XDocument.Parse(html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        var shapes = svg.Descendants().Select(e => (string?)e.Attribute("class")).ToList();
        Assert.Single(shapes, c => c == "chosen");
        Assert.Equal(2, shapes.Count(c => c == "tier"));
        Assert.True(shapes.Count(c => c == "threshold") > 20);

        // The calibrated threshold changes the routing: an unconfident small answer now escalates to Large.
        var services = new ServiceCollection();
        services.AddKeyedChatClient("replay", new ReplayChatClient(ReplayRecording.Load(Path.Combine(_dir, "recording.jsonl"))));
        services.AddRoutedPrompts(o =>
        {
            o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "replay", Model = "small" }] };
            o.Tiers["Large"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "replay", Model = "large" }] };
        });
        using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<PromptRouter>();
        var unconfident = EvalSet.Load(Path.Combine(_dir, "evals", "answer.jsonl"), Task())[3]; // i % 3 == 0
        var messages = unconfident.Messages(Task());
        var before = await router.RouteAsync(Task(), messages);
        var after = await router.RouteAsync(Task(entry.Thresholds.ToDictionary(t => Enum.Parse<Tier>(t.Key), t => t.Value)), messages);
        Assert.Equal(Tier.Small, before.Tier);
        Assert.Equal(Tier.Large, after.Tier);

        // A re-run is served from the cache and gives the same numbers.
        Assert.Equal(0, (await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"))).Exit);
        var again = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer"));
        Assert.Equal(run.Records.Select(r => (r.ExampleId, r.Model, r.Correct, r.Confidence, r.CostUsd)), again.Records.Select(r => (r.ExampleId, r.Model, r.Correct, r.Confidence, r.CostUsd)));

        // A user scorer replaces the JSON comparison.
        Assert.Equal(0, (await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"), "--scorer", $"Quiz.Answer={typeof(EvalCalibrateCheckTests).FullName}.{nameof(AnyLetter)}")).Exit);
        Assert.All(EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer")).Records, r => Assert.True(r.Correct));

        // Changing the eval set makes the entry stale.
        File.AppendAllText(Path.Combine(_dir, "evals", "answer.jsonl"), """{"inputs": {"question": "New?"}, "expected": "A"}""" + "\n");
        var stale = await Run("check");
        Assert.Equal(1, stale.Exit);
        Assert.Contains("Quiz.Answer: lock entry is stale (eval set changed", stale.Output);
    }

    [Fact]
    public async Task Eval_measures_from_the_declared_tier_when_a_lock_entry_moved_the_start_up()
    {
        var moved = Task();
        moved = new RoutedTask<string>
        {
            Name = moved.Name, DeclaringType = moved.DeclaringType, MethodName = moved.MethodName, Instructions = moved.Instructions,
            Template = moved.Template, Parameters = moved.Parameters, ParameterTypes = moved.ParameterTypes, CreateMessages = moved.CreateMessages, EvalSet = moved.EvalSet,
            Tier = Tier.Large, DeclaredTier = Tier.Small, // as the generator emits it after a calibration that started at Large
        };
        var console = new TestConsole();

        Assert.Equal(0, await Cli.CliApp.RunAsync(["eval", "--replay", Path.Combine(_dir, "recording.jsonl"), "--project-dir", _dir], console, () => [moved]));

        var run = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer"));
        Assert.Equal([Tier.Small, Tier.Large], run.Records.Select(r => r.Tier).Distinct().Order());
    }

    [Fact]
    public async Task Report_refuses_a_lock_entry_calibrated_on_other_eval_results()
    {
        Assert.Equal(0, (await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"))).Exit);
        Assert.Equal(0, (await Run("calibrate")).Exit);
        var path = EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer");
        (EvalRun.Read(path) with { EvalSetHash = "sha256:newer-eval-set" }).Write(path);

        var report = await Run("report");

        Assert.Equal(1, report.Exit);
        Assert.Contains("Quiz.Answer: the eval results and the lock entry come from different prompts, schemas or eval sets. Run: dotnet routed-prompts calibrate --task Quiz.Answer", report.Output);
        Assert.DoesNotContain("## Quiz.Answer", File.ReadAllText(Path.Combine(_dir, ".routedprompts", "report", "report.md")));
    }

    [Fact]
    public async Task Answers_cached_from_one_recording_are_not_served_for_another()
    {
        Assert.Equal(0, (await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"))).Exit);
        var other = Path.Combine(_dir, "other.jsonl");
        File.WriteAllText(other, File.ReadAllText(Path.Combine(_dir, "recording.jsonl"))
            .Replace("\"large\": {\"text\": \"A\"", "\"large\": {\"text\": \"B\"", StringComparison.Ordinal));

        Assert.Equal(0, (await Run("eval", "--replay", other)).Exit);

        var run = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer"));
        Assert.Equal(Count / 2, run.Records.Count(r => r.Model == "large" && !r.Correct)); // the other recording's answers
    }

    [Fact]
    public async Task Calibrate_refuses_results_recorded_under_another_schema()
    {
        Assert.Equal(0, (await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"))).Exit);
        var path = EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer");
        (EvalRun.Read(path) with { SchemaHash = "sha256:an-older-schema" }).Write(path);

        var calibrate = await Run("calibrate");

        Assert.Equal(1, calibrate.Exit);
        Assert.Contains("Quiz.Answer: its eval results are older than its prompt, schema or eval set. Run: dotnet routed-prompts eval --task Quiz.Answer", calibrate.Output);
        Assert.False(File.Exists(Path.Combine(_dir, LockFile.FileName)) && LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks.ContainsKey("Quiz.Answer"));
    }

    [Fact]
    public void An_open_circuit_falls_over_to_the_tiers_next_deployment_in_calibration_as_in_the_router()
    {
        EvalRecord Record(string provider, AttemptOutcome outcome, double cost) => new()
        {
            ExampleId = "q1", Tier = Tier.Small, Provider = provider, Model = "small", Outcome = outcome,
            Answered = outcome == AttemptOutcome.Accepted, Correct = outcome == AttemptOutcome.Accepted, Confidence = 0.9, CostUsd = cost,
        };
        var run = new EvalRun
        {
            Task = "Quiz.Answer", PromptHash = "p", EvalSetHash = "e", Examples = ["q1"],
            Records = [Record("primary", AttemptOutcome.CircuitOpen, 0), Record("backup", AttemptOutcome.Accepted, 0.002)],
        };

        var (_, examples) = run.ToCalibration();

        Assert.Equal(new TierObservation(true, 0.9, true, 0.002), Assert.Single(examples).Tiers[0]);
    }

    [Fact]
    public async Task Eval_stops_at_a_malformed_row_naming_file_and_line()
    {
        File.AppendAllText(Path.Combine(_dir, "evals", "answer.jsonl"), "{\"inputs\": {\"question\": \"Q\"}}\n");

        var (exit, output) = await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"));

        Assert.Equal(2, exit);
        Assert.Contains($"answer.jsonl:{Count + 1}: the row has no 'expected' result", output);
        Assert.False(File.Exists(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer")));
    }
}
