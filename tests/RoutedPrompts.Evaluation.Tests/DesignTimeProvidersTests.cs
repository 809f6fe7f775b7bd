using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Testing;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>A routed task of this assembly: the tests hand the tool this assembly (<c>--assembly</c>) as its app.</summary>
public sealed partial class DesignTimePrompts(PromptRouter router)
{
    [RoutedPrompt(Tier.Small, Prompt = "Capital of {country}?", EvalSet = "evals/capitals.jsonl")]
    public partial Task<string> CapitalAsync(string country, CancellationToken cancellationToken = default);
}

/// <summary>
/// This assembly's design-time services, found by the tool in the assembly it loads: the "loopback" provider is the real
/// OpenAI SDK talking to an <see cref="OpenAITestServer"/>, the "scripted" provider an in-process <see cref="IChatClient"/>.
/// </summary>
internal sealed class TestDesignTimeServices : IRoutedPromptsDesignTimeServices
{
    /// <summary>The providers the next <c>eval</c> gets (set by the test).</summary>
    public static (OpenAITestServer Server, ScriptedChatClient Scripted)? Providers { get; set; }

    /// <summary>How often the tool asked for the services.</summary>
    public static int Calls => _calls;

    private static int _calls;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        Interlocked.Increment(ref _calls);
        var (server, scripted) = Providers ?? throw new InvalidOperationException("The test sets TestDesignTimeServices.Providers first.");
        Assert.Equal("small-model", configuration["RoutedPrompts:Tiers:Small:Deployments:0:Model"]); // the app's configuration, as the tool reads it
        services.AddOpenAITestProvider("loopback", server);
        services.AddKeyedChatClient("scripted", scripted);
        services.AddRoutedPrompts(configuration); // ignored by the tool: it would bind every deployment a second time
    }
}

/// <summary>A scripted in-process provider: answers from a function of the request, counting calls.</summary>
internal sealed class ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, string?, string> answer) : IChatClient
{
    public ConcurrentQueue<(string? Model, IReadOnlyList<ChatMessage> Messages)> Received { get; } = new();

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToArray();
        Received.Enqueue((options?.ModelId, list));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer(list, options?.ModelId)))
        {
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>
/// <c>eval</c> calls every deployment through the providers the app registers in its
/// <see cref="IRoutedPromptsDesignTimeServices"/>, found in the assembly the tool loads (<c>--assembly</c>, this test
/// assembly, as after building an app): one OpenAI-compatible loopback server through the real OpenAI SDK and one
/// scripted in-process client, with no <c>OPENAI_*</c> variable set. <c>--replay</c> still answers every provider.
/// </summary>
public sealed class DesignTimeProvidersTests : IDisposable
{
    private const string Task = "DesignTimePrompts.Capital";
    private static readonly string App = typeof(DesignTimeProvidersTests).Assembly.Location;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-designtime-").FullName;

    public DesignTimeProvidersTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "evals", "capitals.jsonl"), """
            {"id": "fr", "inputs": {"country": "France"}, "expected": "Paris"}
            {"id": "jp", "inputs": {"country": "Japan"}, "expected": "Tokyo"}
            {"id": "pe", "inputs": {"country": "Peru"}, "expected": "Lima"}
            """);
        WriteConfiguration("loopback", "scripted");
    }

    public void Dispose()
    {
        TestDesignTimeServices.Providers = null;
        Directory.Delete(_dir, recursive: true);
    }

    private void WriteConfiguration(string small, string large, string? medium = null) => File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), $$"""
        { "Tiers": {
            "Small": { "Deployments": [ { "Provider": "{{small}}", "Model": "small-model" } ] },
            {{(medium is null ? string.Empty : $$"""
            "Medium": { "Deployments": [ { "Provider": "{{medium}}", "Model": "medium-model" } ] },
            """)}}
            "Large": { "Deployments": [ { "Provider": "{{large}}", "Model": "large-model" } ] } } }
        """);

    private async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var exit = await Cli.CliApp.RunAsync([.. args, "--assembly", App, "--project-dir", _dir, "--task", Task], console);
        return (exit, console.Output);
    }

    private static void NoOpenAIVariables()
    {
        Assert.Null(Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
        Assert.Null(Environment.GetEnvironmentVariable("OPENAI_BASE_URL"));
    }

    private static string Capital(string userText) => userText switch
    {
        "Capital of France?" => "Paris",
        "Capital of Japan?" => "Tokyo",
        _ => "Cusco",
    };

    [Fact]
    public async Task Eval_calls_each_deployment_through_the_client_the_app_registers_under_its_key()
    {
        NoOpenAIVariables();
        await using var server = await OpenAITestServer.StartAsync();
        server.Answer = request => new ServerAnswer(Capital(request.UserText));
        var scripted = new ScriptedChatClient((messages, _) => Capital(messages[^1].Text));
        TestDesignTimeServices.Providers = (server, scripted);

        var (exit, output) = await Run("eval");

        Assert.True(exit == 0, output);
        Assert.Equal(3, server.RequestsFor("small-model"));
        Assert.Equal(0, server.RequestsFor("large-model"));
        Assert.Equal(["large-model", "large-model", "large-model"], scripted.Received.Select(r => r.Model));
        var run = EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), Task));
        Assert.Equal(6, run.Records.Count); // one deployment per tier: registered once, not twice by the app's AddRoutedPrompts
        Assert.Equal(
            [("loopback", "small-model", "fr", true), ("loopback", "small-model", "jp", true), ("loopback", "small-model", "pe", false),
             ("scripted", "large-model", "fr", true), ("scripted", "large-model", "jp", true), ("scripted", "large-model", "pe", false)],
            run.Records.Select(r => (r.Provider, r.Model, r.ExampleId, r.Correct)));
        Assert.All(run.Records, r => Assert.True(r.Answered, r.Reason));
        Assert.Equal("exact text", run.Scorer);

        // report names the scorer behind the numbers, from the results.
        Assert.Equal(0, (await Run("calibrate")).Exit);
        var report = await Run("report");
        Assert.True(report.Exit == 0, report.Output);
        Assert.Contains("Scored by exact text.", report.Output, StringComparison.Ordinal);
        Assert.Contains("Scored by exact text.", File.ReadAllText(Path.Combine(_dir, ".routedprompts", "report", "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_the_app_does_not_register_is_an_error_naming_it_without_OPENAI_API_KEY()
    {
        NoOpenAIVariables();
        await using var server = await OpenAITestServer.StartAsync();
        TestDesignTimeServices.Providers = (server, new ScriptedChatClient((_, _) => "Paris"));
        WriteConfiguration("loopback", "scripted", medium: "ollama");

        var (exit, output) = await Run("eval");

        Assert.Equal(2, exit);
        Assert.Contains($"{typeof(TestDesignTimeServices).FullName}.ConfigureServices registers no keyed IChatClient for provider(s) ollama: register them (services.AddKeyedChatClient(\"ollama\", ...)), pass --replay <recording.jsonl>, or set OPENAI_API_KEY", output.Replace("\n", string.Empty, StringComparison.Ordinal));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Replay_answers_every_provider_without_asking_the_app()
    {
        var recording = Path.Combine(_dir, "recording.jsonl");
        File.WriteAllLines(recording, new[] { "France", "Japan", "Peru" }.Select(country =>
            $$$$"""{"id": "{{{{country}}}}", "messages": [{"role": "user", "content": "Capital of {{{{country}}}}?"}], "responses": {"small-model": {"text": "{{{{Capital($"Capital of {country}?")}}}}", "cost_usd": 0.0001}, "large-model": {"text": "{{{{Capital($"Capital of {country}?")}}}}", "cost_usd": 0.001}}}"""));
        TestDesignTimeServices.Providers = null; // asking the app would throw
        var calls = TestDesignTimeServices.Calls;

        var (exit, output) = await Run("eval", "--replay", recording);

        Assert.True(exit == 0, output);
        Assert.Equal(calls, TestDesignTimeServices.Calls);
        Assert.Equal(6, EvalRun.Read(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), Task)).Records.Count(r => r.Answered));
    }

    [Fact]
    public void An_assembly_without_design_time_services_has_none()
    {
        Assert.Null(Cli.AppAssembly.DesignTimeServices(typeof(PromptRouter).Assembly));
        Assert.IsType<TestDesignTimeServices>(Cli.AppAssembly.DesignTimeServices(typeof(DesignTimeProvidersTests).Assembly));
    }
}
