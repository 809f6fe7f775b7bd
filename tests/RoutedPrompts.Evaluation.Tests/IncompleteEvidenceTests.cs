using System.ClientModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using RoutedPrompts.Testing;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Issue 10, defect 1: an eval in which calls failed must not pass. Missing answers (availability failures after the
/// router's retries) fail <c>eval</c> naming task, deployment, failure kind and count, mark the results incomplete,
/// make <c>calibrate</c> refuse them and <c>check</c> fail an entry built on them; a re-run asks only for what is missing.
/// </summary>
public sealed class IncompleteEvidenceTests : IDisposable
{
    private const int Count = 12;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-incomplete-").FullName;

    public IncompleteEvidenceTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), """
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small" } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "large" } ] } } } }
            """);
        var evalSet = new StringBuilder();
        var recording = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            evalSet.Append(CultureInfo.InvariantCulture, $$"""{"id": "q{{i}}", "inputs": {"question": "Question {{i}}?"}, "expected": "A"}""").Append('\n');
            // Recorded under an older prompt: the eval's requests (system message "Answer A or B.") match none of them.
            recording.Append(CultureInfo.InvariantCulture, $$$$"""{"id": "r{{{{i}}}}", "messages": [{"role": "system", "content": "Answer A or B, please."}, {"role": "user", "content": "Q: Question {{{{i}}}}?"}], "responses": {"small": {"text": "A"}, "large": {"text": "A"}}}""").Append('\n');
        }

        File.WriteAllText(Path.Combine(_dir, "evals", "answer.jsonl"), evalSet.ToString());
        File.WriteAllText(Path.Combine(_dir, "recording.jsonl"), recording.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedTask<string> Task() => TestTasks.Text("Quiz.Answer", "Answer A or B.", "Q: {question}", ["question"], evalSet: "evals/answer.jsonl");

    private async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var exit = await Cli.CliApp.RunAsync([.. args, "--project-dir", _dir], console, () => [Task()]);
        return (exit, console.Output.Replace("\n", string.Empty));
    }

    [Fact]
    public async Task An_eval_in_which_every_call_failed_fails_and_calibrate_refuses_it()
    {
        var eval = await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"));

        Assert.Equal(1, eval.Exit);
        Assert.Contains($"Quiz.Answer: {2 * Count} of {2 * Count} answers are missing after retries", eval.Output);
        Assert.Contains($"Small replay/small: {Count} × ReplayMiss", eval.Output);
        Assert.Contains($"Large replay/large: {Count} × ReplayMiss", eval.Output);
        Assert.Contains("Closest recorded request: r", eval.Output); // the reason names the nearest recorded request
        Assert.Contains("run: dotnet routed-prompts eval --task Quiz.Answer", eval.Output);

        var path = EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer");
        var text = File.ReadAllText(path);
        Assert.Contains("\"complete\": false", text);
        Assert.Contains("\"failure\": \"ReplayMiss\"", text);
        var run = EvalRun.Read(path);
        Assert.False(run.Complete);
        Assert.Equal([Count, Count], run.Missing.Select(m => m.Count));

        var calibrate = await Run("calibrate");

        Assert.Equal(1, calibrate.Exit);
        Assert.Contains("not calibrated: Quiz.Answer: 24 of 24 answers are missing", calibrate.Output);
        Assert.False(File.Exists(Path.Combine(_dir, LockFile.FileName)) && LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks.ContainsKey("Quiz.Answer"));
    }

    [Fact]
    public async Task Gate_failures_are_evidence_not_missing_answers()
    {
        // The prompt the recording was made with: every request is answered, the small tier wrongly ("C" is no answer to check).
        File.WriteAllText(Path.Combine(_dir, "recording.jsonl"), File.ReadAllText(Path.Combine(_dir, "recording.jsonl"))
            .Replace("Answer A or B, please.", "Answer A or B.", StringComparison.Ordinal)
            .Replace("\"small\": {\"text\": \"A\"}", "\"small\": {\"text\": \"\"}", StringComparison.Ordinal));

        var eval = await Run("eval", "--replay", Path.Combine(_dir, "recording.jsonl"));

        Assert.Equal(0, eval.Exit);
        var run = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Quiz.Answer"));
        Assert.True(run.Complete);
        Assert.All(run.Records.Where(r => r.Model == "small"), r => Assert.Equal(AttemptOutcome.Empty, r.Outcome));
        Assert.Equal(0, (await Run("calibrate")).Exit);
        Assert.True(LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks["Quiz.Answer"].EvidenceComplete);
        Assert.Equal(0, (await Run("check")).Exit);
    }

    [Theory]
    [InlineData(null, "does not record that its eval results were complete")]
    [InlineData(false, "was calibrated on incomplete eval results")]
    public async Task Check_fails_a_lock_entry_not_built_on_complete_evidence(bool? complete, string message)
    {
        var examples = Enumerable.Range(0, Count).Select(i => new CalibrationExample($"q{i}", [TierObservation.Missing, TierObservation.Missing])).ToList();
        var result = new CascadeCalibrator().Calibrate(examples, ["Small", "Large"]);
        var entry = LockEntries.Create(Task(), File.ReadAllText(Path.Combine(_dir, "evals", "answer.jsonl")), [Tier.Small, Tier.Large], examples, result, 0.01, DateTimeOffset.UnixEpoch);
        entry.EvidenceComplete = complete; // as an older tool wrote it (no field), or as marked incomplete
        var file = new LockFile();
        file.Tasks["Quiz.Answer"] = entry;
        file.Write(Path.Combine(_dir, LockFile.FileName));

        var check = await Run("check");

        Assert.Equal(1, check.Exit);
        Assert.Contains($"Incomplete Quiz.Answer: lock entry {message}", check.Output);
        Assert.Contains("Run: dotnet routed-prompts eval --task Quiz.Answer && dotnet routed-prompts calibrate --task Quiz.Answer", check.Output);
    }

    [Fact]
    public async Task Availability_failures_are_retried_and_a_re_run_asks_only_for_the_missing_answers()
    {
        await using var server = await OpenAITestServer.StartAsync();
        server.Answer = _ => new ServerAnswer("A");
        // Small: the first request is answered, the second rate limited and answered on its retry; then a storm the retry cannot outlast.
        server.Schedule("small", Fault.None, FaultKind.RateLimited, Fault.None)
            .Rates("small", new FaultRates(RateLimited: 1));
        var options = Options(server);

        var first = await EvalRunner.RunAsync(Task(), Path.Combine(_dir, "evals", "answer.jsonl"), options with { MaxConcurrency = 1 });

        Assert.False(first.Complete);
        var missing = Assert.Single(first.Missing);
        Assert.Equal((Tier.Small, "openai", "small", ProviderFailureKind.RateLimited), (missing.Tier, missing.Provider, missing.Model, missing.Failure));
        Assert.Equal(Count - 2, missing.Count); // the first example answered at once, the second after one retry
        Assert.Equal(1 + 2 + ((Count - 2) * 2), server.RequestsFor("small")); // every missing one was tried twice (one retry)
        Assert.Contains("RateLimited", first.DescribeMissing());

        server.ClearRates();
        server.ResetCounts();
        var second = await EvalRunner.RunAsync(Task(), Path.Combine(_dir, "evals", "answer.jsonl"), options);

        Assert.True(second.Complete);
        Assert.Null(second.DescribeMissing());
        Assert.Equal(Count - 2, server.RequestsFor("small")); // only the missing answers: failures were not cached
        Assert.Equal(0, server.RequestsFor("large"));
    }

    private EvalRunOptions Options(OpenAITestServer server)
    {
        // The SDK's own retries off: the retries counted here are the router's, as eval applies them at run time.
        var client = new OpenAIClient(new ApiKeyCredential(server.ApiKey), new OpenAIClientOptions { Endpoint = server.Endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        var resilience = new ResilienceOptions { MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(2), CircuitBreakerEnabled = false };
        var routing = new RoutedPromptsOptions { Resilience = resilience };
        routing.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "small" }] };
        routing.Tiers["Large"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "large" }] };
        return new EvalRunOptions
        {
            Routing = routing,
            Providers = services => services.AddKeyedChatClient("openai", new ModelSelectingChatClient(model => client.GetChatClient(model).AsIChatClient())),
            CacheDirectory = Path.Combine(_dir, "cache"),
        };
    }
}
