using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// The OpenAI log-probabilities reach the confidence gate through middleware (<c>UseOpenAILogProbabilities()</c>),
/// which writes them into <see cref="ChatResponse.AdditionalProperties"/>: middleware above it (a cache) keeps them, and
/// a deployment that needs them but whose client lacks the middleware fails loudly instead of silently never gating.
/// </summary>
public sealed class OpenAILogProbabilitiesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A router whose provider <c>alpha</c> (the real OpenAI SDK against the loopback server) is built by
    /// <paramref name="build"/>; Small and Medium are served by <c>small-a</c> and <c>medium-a</c>, both set for
    /// log-probabilities, and the summary task needs confidence 0.5.
    /// </summary>
    private static ServiceProvider Router(OpenAITestServer server, Action<ChatClientBuilder> build)
    {
        var services = new ServiceCollection();
        build(services.AddKeyedChatClient("alpha", TestProviders.ChatClient(server)));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o =>
        {
            o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "alpha", Model = "small-a", LogProbabilities = true }] };
            o.Tiers["Medium"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "alpha", Model = "medium-a", LogProbabilities = true }] };
            o.Resilience = new ResilienceOptions { MaxRetries = 0, CircuitBreakerEnabled = false };
            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        });
        return services.BuildServiceProvider();
    }

    private static MemoryDistributedCache Cache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task A_distributed_cache_above_the_middleware_still_gates_on_confidence_on_a_cache_hit()
    {
        await using var server = await OpenAITestServer.StartAsync();
        server.Answer = r => new ServerAnswer("answer", r.Model == "small-a" ? -0.5 : -0.01); // 2 tokens: exp(-1) vs exp(-0.02)
        await using var services = Router(server, b => b.UseDistributedCache(Cache()).UseOpenAILogProbabilities());
        var router = services.GetRequiredService<PromptRouter>();

        var live = await router.RouteAsync(Tasks.Summary(), Tasks.Messages("cached?")).AsTask().WaitAsync(Bound);
        var cached = await router.RouteAsync(Tasks.Summary(), Tasks.Messages("cached?")).AsTask().WaitAsync(Bound);

        Assert.Equal(2, server.Requests.Count); // the second call's answers both came from the cache
        Assert.All(server.Requests, r => Assert.True(r.LogProbsRequested));
        foreach (var routed in new[] { live, cached })
        {
            // The low-confidence Small answer escalates; the confident Medium answer passes.
            Assert.Equal([AttemptOutcome.LowConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
            Assert.Equal(Math.Exp(-1), routed.Attempts[0].Confidence!.Value, 6);
            Assert.Equal(Math.Exp(-0.02), routed.Answer.Confidence!.Value, 6);
            Assert.Equal(Tier.Medium, routed.Tier);
        }
    }

    [Fact]
    public async Task A_cache_below_the_middleware_loses_the_signal_on_a_hit_and_the_reason_says_where_to_put_it()
    {
        await using var server = await OpenAITestServer.StartAsync();
        server.Answer = _ => new ServerAnswer("answer", -0.01);
        await using var services = Router(server, b => b.UseOpenAILogProbabilities().UseDistributedCache(Cache()));
        var router = services.GetRequiredService<PromptRouter>();

        var live = await router.RouteAsync(Tasks.Summary(), Tasks.Messages("cached below?")).AsTask().WaitAsync(Bound);
        var hit = await Assert.ThrowsAsync<RoutingException>(() => router.RouteAsync(Tasks.Summary(maxTier: Tier.Small), Tasks.Messages("cached below?")).AsTask().WaitAsync(Bound));

        Assert.Equal(AttemptOutcome.Accepted, Assert.Single(live.Attempts).Outcome);
        Assert.Single(server.Requests);
        var attempt = Assert.Single(hit.Attempts);
        Assert.Equal(AttemptOutcome.MissingConfidence, attempt.Outcome); // fails closed: never an ungated answer
        Assert.Contains("below UseOpenAILogProbabilities()", attempt.Reason);
    }

    [Fact]
    public async Task A_deployment_set_for_log_probabilities_whose_client_lacks_the_middleware_fails_before_any_call_naming_the_fix()
    {
        await using var h = await HttpHarness.StartAsync(o =>
        {
            o.Tiers["Small"].Deployments[0].LogProbabilities = true;
            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.AskAsync("confident?").AsTask().WaitAsync(Bound));

        Assert.Contains("Small alpha/small-a", error.Message);
        Assert.Contains("\"LogProbabilities\": true", error.Message);
        Assert.Contains("UseOpenAILogProbabilities()", error.Message);
        Assert.Empty(h.Server.Requests); // no paid call whose answer could not be gated
    }

    [Fact]
    public async Task The_replay_client_reports_confidence_so_its_deployments_may_need_log_probabilities()
    {
        var recording = RoutedPrompts.Replay.ReplayRecording.Load(Datasets.PathOf("mmlu-llama.jsonl"));
        var services = new ServiceCollection();
        services.AddKeyedChatClient("replay", new RoutedPrompts.Replay.ReplayChatClient(recording));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o => o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "replay", Model = "llama3.2-1b", LogProbabilities = true }] });
        await using var provider = services.BuildServiceProvider();
        var query = recording.Queries[7];

        var routed = await provider.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Summary(), query.Messages).AsTask().WaitAsync(Bound);

        Assert.Equal(Math.Exp(query.Answers["llama3.2-1b"].LogProb!.Value), routed.Answer.Confidence!.Value, 6);
    }

    [Fact]
    public async Task The_middleware_writes_the_summed_log_probability_and_nothing_without_one()
    {
        var inner = new RawClient();
        using var client = new ChatClientBuilder(inner).UseOpenAILogProbabilities().Build();

        inner.Next = Completion(-0.25f, -0.5f);
        var withLogProbs = await client.GetResponseAsync("q");
        inner.Next = Completion();
        var without = await client.GetResponseAsync("q");

        Assert.Equal(-0.75, (double)withLogProbs.AdditionalProperties![RoutedPromptsResponseProperties.LogProb]!, 6);
        Assert.Equal(Math.Exp(-0.75), RoutedPromptsResponseProperties.ReadConfidence(withLogProbs)!.Value, 6);
        Assert.Null(without.AdditionalProperties);
        Assert.Same(client.GetService<IConfidenceReportingChatClient>(), client.GetService<OpenAILogProbabilitiesChatClient>());
    }

    [Fact]
    public async Task The_middleware_keeps_a_callers_raw_representation_factory_and_leaves_the_callers_options_alone()
    {
        var inner = new RawClient { Next = Completion(-0.1f) };
        using var client = new ChatClientBuilder(inner).UseOpenAILogProbabilities().Build();
        Func<IChatClient, object?> factory = _ => new ChatCompletionOptions { TopLogProbabilityCount = 3, EndUserId = "user-1", IncludeLogProbabilities = false };
        var options = new ChatOptions { ModelId = "m", Temperature = 0.2f, RawRepresentationFactory = factory };

        await client.GetResponseAsync("q", options);
        await client.GetResponseAsync("q"); // no options at all

        var sent = (ChatCompletionOptions)inner.Options[0]!.RawRepresentationFactory!(inner)!;
        Assert.True(sent.IncludeLogProbabilities);
        Assert.Equal(3, sent.TopLogProbabilityCount); // the caller's settings are kept
        Assert.Equal("user-1", sent.EndUserId);
        Assert.Equal(("m", 0.2f), (inner.Options[0]!.ModelId, inner.Options[0]!.Temperature));
        Assert.Same(factory, options.RawRepresentationFactory); // the caller's options are not changed
        Assert.True(((ChatCompletionOptions)inner.Options[1]!.RawRepresentationFactory!(inner)!).IncludeLogProbabilities);
    }

#pragma warning disable OPENAI001 // the SDK's model factory ("for evaluation purposes") is how a test builds a completion
    private static ChatResponse Completion(params float[] tokenLogProbabilities) => new(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant, "answer"))
    {
        RawRepresentation = OpenAIChatModelFactory.ChatCompletion(
            id: "chatcmpl-1",
            content: new ChatMessageContent("answer"),
            contentTokenLogProbabilities: tokenLogProbabilities.Select(lp => OpenAIChatModelFactory.ChatTokenLogProbabilityDetails("t", lp, null, [])).ToArray()),
    };
#pragma warning restore OPENAI001

    /// <summary>Answers with <see cref="Next"/> (a response whose raw representation is an OpenAI completion) and records the options it got.</summary>
    private sealed class RawClient : IChatClient
    {
        public ChatResponse? Next { get; set; }

        public List<ChatOptions?> Options { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Options.Add(options);
            return Task.FromResult(Next!);
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
