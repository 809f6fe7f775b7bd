using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>Per-task chat options: eval sends them as the router does at run time, and they are part of what makes a lock entry stale.</summary>
public sealed class ChatOptionsTests : IDisposable
{
    private const string EvalSetText = "{\"inputs\": {\"ticket\": \"t\"}, \"expected\": \"x\"}\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-chat-options-").FullName;

    public ChatOptionsTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "evals", "reply.jsonl"), EvalSetText);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedPromptsOptions Routing(float? temperature = null, long? seed = null)
    {
        var options = new RoutedPromptsOptions();
        options.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "p", Model = "m" }] };
        if (temperature is not null || seed is not null)
        {
            options.Tasks["Support.Reply"] = new TaskOptions { Temperature = temperature, Seed = seed, ConfidenceThreshold = 0.99 };
        }

        return options;
    }

    private static LockFile Lock(RoutedPromptsOptions? routing)
    {
        var examples = Enumerable.Range(0, 10).Select(i => new CalibrationExample($"e{i}", [new TierObservation(true, null, true, 1)])).ToList();
        var result = new CascadeCalibrator().Calibrate(examples, ["Small"]);
        var file = new LockFile();
        file.Tasks["Support.Reply"] = LockEntries.Create(TestTasks.Text(), EvalSetText, [Tier.Small], examples, result, 0.01, DateTimeOffset.UnixEpoch, routing);
        return file;
    }

    [Fact]
    public async Task Eval_sends_the_tasks_chat_options_and_records_their_hash()
    {
        var seen = new ConcurrentBag<ChatOptions?>();
        var run = await EvalRunner.RunAsync(TestTasks.Text(), Path.Combine(_dir, "evals", "reply.jsonl"), new EvalRunOptions
        {
            Routing = Routing(temperature: 0.3f, seed: 7),
            Providers = services => services.AddKeyedChatClient("p", new Capturing(seen)),
        });

        var options = Assert.Single(seen)!;
        Assert.Equal(0.3f, options.Temperature);
        Assert.Equal(7L, options.Seed);
        Assert.Equal(RoutedTaskHashing.ChatOptionsHash(0.3f, null, null, 7), run.ChatOptionsHash);
        Assert.True(Assert.Single(run.Records).Answered); // the task's confidence threshold is not applied by eval
    }

    [Theory]
    [InlineData("0.1")]
    [InlineData("0.0000005")] // its double rounds to 0.000001, its float (what the tool binds and sends) to 0: the hashes differed
    [InlineData("1.9999995")]
    public void The_build_and_the_tool_hash_a_tasks_chat_options_alike(string value)
    {
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), $$"""{ "Tiers": {}, "Tasks": { "Support.Reply": { "Temperature": {{value}}, "TopP": {{value}}, "Seed": 7 } } }""");

        var build = RoutedPromptsManifest.Read(File.ReadAllText(Path.Combine(_dir, "routedprompts.json")), out _, out _)!.Tasks["Support.Reply"].ChatOptionsHash; // RP0004
        var tool = TaskHashes.ChatOptionsOf(TestTasks.Text(), TaskHashes.ProjectRouting(_dir)); // check, eval, calibrate

        Assert.NotNull(build);
        Assert.Equal(build, tool);
    }

    [Fact]
    public void A_lock_entry_is_stale_when_the_chat_options_change()
    {
        var file = Lock(Routing(temperature: 0.2f));

        Assert.Empty(LockCheck.Check([TestTasks.Text()], file, _dir, Routing(temperature: 0.2f)));
        var changed = Assert.Single(LockCheck.Check([TestTasks.Text()], file, _dir, Routing(temperature: 0.7f)));
        Assert.Equal(LockProblemKind.Stale, changed.Kind);
        Assert.Contains("(chat options changed", changed.Message);
        Assert.Contains("(chat options changed", Assert.Single(LockCheck.Check([TestTasks.Text()], file, _dir, Routing())).Message);
    }

    [Fact]
    public void An_entry_without_a_chat_options_hash_matches_a_task_without_chat_options_and_check_reads_the_projects_file()
    {
        var old = Lock(routing: null);
        Assert.Null(old.Tasks["Support.Reply"].ChatOptionsHash);

        Assert.Empty(LockCheck.Check([TestTasks.Text()], old, _dir)); // no routedprompts.json: no chat options

        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), """{ "Tasks": { "Support.Reply": { "Temperature": 0.2 } } }""");
        Assert.Contains("(chat options changed", Assert.Single(LockCheck.Check([TestTasks.Text()], old, _dir)).Message);
        Assert.Empty(LockCheck.Check([TestTasks.Text()], Lock(Routing(temperature: 0.2f)), _dir));
    }

    private sealed class Capturing(ConcurrentBag<ChatOptions?> seen) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add(options?.Clone());
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
