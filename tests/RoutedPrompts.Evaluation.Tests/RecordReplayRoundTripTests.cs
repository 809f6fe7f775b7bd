using System.ClientModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using RoutedPrompts.Replay;
using RoutedPrompts.Testing;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Issue 10, item 9: a recording made from real calls (the real OpenAI SDK client against the loopback server, through
/// <see cref="RecordingChatClient"/>) replays with no server to the same answers, outcomes, confidences, tokens and costs.
/// </summary>
public sealed class RecordReplayRoundTripTests : IDisposable
{
    private const int Count = 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-record-").FullName;

    public RecordReplayRoundTripTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "evals", "answer.jsonl"), string.Concat(Enumerable.Range(0, Count).Select(i =>
            FormattableString.Invariant($$"""{"id": "q{{i}}", "inputs": {"question": "Question {{i}}?"}, "expected": "{{(i % 2 == 0 ? "A" : "B")}}"}""") + "\n")));
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), """
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "openai", "Model": "small", "LogProbabilities": true, "InputUsdPerMillionTokens": 0.15, "OutputUsdPerMillionTokens": 0.6 } ] },
                "Large": { "Deployments": [ { "Provider": "openai", "Model": "large", "InputUsdPerMillionTokens": 2.5, "OutputUsdPerMillionTokens": 10 } ] } } } }
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedTask<string> Task() => TestTasks.Text("Quiz.Answer", "Answer A or B.", "Q: {question}", ["question"], evalSet: "evals/answer.jsonl");

    private static RoutedPromptsOptions Routing()
    {
        var routing = new RoutedPromptsOptions();
        routing.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "small", LogProbabilities = true, InputUsdPerMillionTokens = 0.15m, OutputUsdPerMillionTokens = 0.6m }] };
        routing.Tiers["Large"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "large", InputUsdPerMillionTokens = 2.5m, OutputUsdPerMillionTokens = 10m }] };
        return routing;
    }

    [Fact]
    public async Task A_recording_of_real_calls_replays_with_no_server_to_the_same_results()
    {
        var recordingPath = Path.Combine(_dir, "recorded.jsonl");
        var evalSet = Path.Combine(_dir, "evals", "answer.jsonl");
        var recorder = new ReplayRecorder();
        EvalRun live;
        await using (var server = await OpenAITestServer.StartAsync())
        {
            // The small model is right on even questions, sure of itself on some; the large one is always right.
            server.Answer = request =>
            {
                var n = int.Parse(request.UserText.Split(' ')[2].TrimEnd('?'), CultureInfo.InvariantCulture);
                return request.Model == "large" ? new ServerAnswer(n % 2 == 0 ? "A" : "B") { InputTokens = 21, OutputTokens = 1 }
                    : new ServerAnswer("A", TokenLogProb: -0.05 * (n + 1)) { InputTokens = 20 + n, OutputTokens = 1 };
            };
            var client = new OpenAIClient(new ApiKeyCredential(server.ApiKey), new OpenAIClientOptions { Endpoint = server.Endpoint });
            live = await EvalRunner.RunAsync(Task(), evalSet, new EvalRunOptions
            {
                Routing = Routing(),
                Providers = services => services.AddKeyedChatClient("openai", new ModelSelectingChatClient(model => client.GetChatClient(model).AsIChatClient())).UseOpenAILogProbabilities(),
                CacheDirectory = Path.Combine(_dir, "cache"),
                Recorder = recorder,
            });
            Assert.Equal(2 * Count, server.Requests.Count);
        }

        recorder.Save(recordingPath);
        Assert.True(live.Complete);
        Assert.Equal(2 * Count, recorder.Count);
        Assert.Equal(Count, File.ReadAllLines(recordingPath).Length); // one row per query, both models' answers in it

        // No server now: the recording answers.
        var recording = ReplayRecording.Load(recordingPath);
        var replayed = await EvalRunner.RunAsync(Task(), evalSet, new EvalRunOptions
        {
            Routing = Routing(),
            Providers = services => services.AddKeyedChatClient("openai", new ReplayChatClient(recording)),
        });

        static object Key(EvalRecord r) => (r.ExampleId, r.Tier, r.Model, r.Answered, r.Outcome, r.Correct, r.Confidence, r.CostUsd, r.InputTokens, r.OutputTokens, r.Answer);
        Assert.Equal(live.Records.Select(Key), replayed.Records.Select(Key));
        Assert.Contains(live.Records, r => r.Model == "small" && !r.Correct); // the comparison is not vacuous
        Assert.All(live.Records.Where(r => r.Model == "small"), r => Assert.NotNull(r.Confidence));

        // eval --record through the tool: re-recording the replay gives the same file, byte for byte.
        var again = Path.Combine(_dir, "again.jsonl");
        var console = new TestConsole();
        var exit = await Cli.CliApp.RunAsync(["eval", "--replay", recordingPath, "--record", again, "--project-dir", _dir], console, () => [Task()]);
        Assert.Equal(0, exit);
        Assert.Contains($"Recorded {2 * Count} answer(s)", console.Output.Replace("\n", string.Empty));
        Assert.Equal(File.ReadAllText(recordingPath), File.ReadAllText(again));
    }

    [Fact]
    public async Task A_replay_miss_is_its_own_failure_naming_the_closest_recorded_request()
    {
        var recording = ReplayRecording.Load(new StringReader("""
            {"id": "near", "messages": [{"role": "system", "content": "Answer A or B."}, {"role": "user", "content": "Q: Question 1?"}], "responses": {"small": {"text": "A"}, "large": {"text": "A"}}}
            {"id": "far", "messages": [{"role": "user", "content": "Something else entirely"}], "responses": {"small": {"text": "A"}, "large": {"text": "A"}}}
            """), "runs.jsonl");
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ReplayChatClient(recording));
        services.AddRoutedPrompts(o =>
        {
            foreach (var tier in Enum.GetNames<Tier>())
            {
                o.Tiers[tier] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "small" }, new DeploymentOptions { Provider = "openai", Model = "large" }] };
            }
        });
        await using var provider = services.BuildServiceProvider();
        var task = TestTasks.Text("Quiz.Answer", "Answer A or B.", "Q: {question}", ["question"]);
        var router = provider.GetRequiredService<PromptRouter>();

        var ex = await Assert.ThrowsAsync<RoutingException>(async () => await router.RouteAsync(
            task, [new ChatMessage(ChatRole.System, "Answer A or B."), new ChatMessage(ChatRole.User, "Q: Question 7?")]));

        // One miss, not one per deployment: the other five deployments replay the same recording, which lacks the request.
        var a = Assert.Single(ex.Attempts);
        Assert.Equal(ProviderFailureKind.ReplayMiss, a.Failure);
        Assert.Equal(1, a.Requests); // not retried
        Assert.Contains("replay miss: Replay of runs.jsonl has no recorded request", a.Reason);
        Assert.Contains("Closest recorded request: near (line 1), which first differs at messages[1] character 12.", a.Reason);
        Assert.DoesNotContain("Question 7", a.Reason); // names the request, never quotes it
    }
}
