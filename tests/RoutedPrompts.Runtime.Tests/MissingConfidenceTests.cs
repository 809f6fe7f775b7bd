using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// A threshold with no confidence signal to check it against (the endpoint ignored <c>logprobs</c>, a cache or proxy
/// dropped the raw response) is a gate failure of its own, counted and logged once per deployment; without a threshold
/// nothing changes.
/// </summary>
public sealed class MissingConfidenceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static Harness Create(Action<RoutedPromptsOptions>? configure = null, Action<IServiceCollection>? services = null) => Harness.Create(
        o =>
        {
            Harness.DefaultTiers(o);
            configure?.Invoke(o);
        },
        s =>
        {
            s.AddMetrics();
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
            s.AddFakeLogging();
            services?.Invoke(s);
        });

    private static IReadOnlyList<FakeLogRecord> MissingConfidenceLogs(IServiceProvider services) =>
        services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name == "MissingConfidence").ToArray();

    [Fact]
    public async Task An_answer_without_confidence_fails_a_tiers_threshold_escalates_and_is_counted()
    {
        using var h = Create();
        var factory = h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var attempts = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.AttemptsInstrument);
        using var escalations = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.EscalationsInstrument);
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket))                     // no confidence signal
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket, confidence: 0.9));

        var routed = await h.Router.RouteAsync(Tasks.Triage(confidenceThreshold: 0.6), Tasks.Messages());

        Assert.Equal([AttemptOutcome.MissingConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Null(routed.Attempts[0].Confidence);
        Assert.Contains("no confidence signal for the threshold 0.6", routed.Attempts[0].Reason);
        Assert.Contains("LogProbabilities", routed.Attempts[0].Reason); // the deployment was not asked: the fix says how
        Assert.Contains(attempts.GetMeasurementSnapshot(), m => (string?)m.Tags["outcome"] == "MissingConfidence" && (string?)m.Tags["kind"] == "gate" && (string?)m.Tags["tier"] == "Small");
        Assert.Equal("MissingConfidence", Assert.Single(escalations.GetMeasurementSnapshot()).Tags["reason"]);
    }

    [Fact]
    public async Task A_configured_threshold_applies_to_answers_without_confidence_too()
    {
        using var h = Create(o => o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 });
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("A"))
            .Reply(Harness.MediumModel, Reply.Text("B", logprob: -0.1));

        var routed = await h.Router.RouteAsync(Tasks.Summary(), Tasks.Messages());

        Assert.Equal([AttemptOutcome.MissingConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal("B", routed.Value);
    }

    [Fact]
    public async Task Without_a_threshold_an_answer_without_confidence_is_accepted_and_nothing_is_logged()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(AttemptOutcome.Accepted, Assert.Single(routed.Attempts).Outcome);
        Assert.Empty(MissingConfidenceLogs(h.Services));
    }

    [Fact]
    public async Task A_calibrated_threshold_applies_only_at_its_tier()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("A"))
            .Reply(Harness.MediumModel, Reply.Text("B"));
        var summary = Tasks.Summary();
        var task = new RoutedTask<string>
        {
            Name = summary.Name,
            DeclaringType = summary.DeclaringType,
            MethodName = summary.MethodName,
            Tier = summary.Tier,
            MaxTier = summary.MaxTier,
            Template = summary.Template,
            Parameters = summary.Parameters,
            TierConfidenceThresholds = new Dictionary<Tier, double> { [Tier.Small] = 0.7 },
        };

        var routed = await h.Router.RouteAsync(task, Tasks.Messages());

        Assert.Equal([AttemptOutcome.MissingConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Contains("0.7", routed.Attempts[0].Reason);
    }

    [Fact]
    public async Task The_missing_signal_is_logged_once_per_tier_and_deployment()
    {
        using var h = Create();
        for (var i = 0; i < 3; i++)
        {
            h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
        }

        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        for (var i = 0; i < 3; i++)
        {
            var failed = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small, confidenceThreshold: 0.6), Tasks.Messages()).AsTask());
            Assert.Equal(AttemptOutcome.MissingConfidence, Assert.Single(failed.Attempts).Outcome);
        }

        await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(tier: Tier.Medium, maxTier: Tier.Medium, confidenceThreshold: 0.6), Tasks.Messages()).AsTask());

        var logs = MissingConfidenceLogs(h.Services);
        Assert.Equal(["Small openai/small-model", "Medium openai/medium-model"], logs.Select(r => $"{r.GetStructuredStateValue("Tier")} {r.GetStructuredStateValue("Deployment")}"));
        Assert.All(logs, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.All(logs, r => Assert.Contains("LogProbabilities", r.Message));
    }

    [Fact]
    public async Task Concurrent_requests_log_the_missing_signal_once()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddKeyedChatClient("openai", new ConstantChatClient(Reply.Text("answer")));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o => o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "m" }] });
        using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<PromptRouter>();
        var task = Tasks.Summary(maxTier: Tier.Small, confidenceThreshold: 0.5);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            var failed = await Assert.ThrowsAsync<RoutingException>(() => router.RouteAsync(task, Tasks.Messages()).AsTask());
            return failed.Attempts[^1].Outcome;
        }))).WaitAsync(Bound);

        Assert.All(outcomes, o => Assert.Equal(AttemptOutcome.MissingConfidence, o));
        Assert.Single(MissingConfidenceLogs(provider));
    }

    [Fact]
    public async Task An_openai_endpoint_not_asked_for_logprobs_fails_the_threshold_over_http()
    {
        await using var h = await HttpHarness.StartAsync(o =>
        {
            o.Tiers["Small"].Deployments.RemoveAt(0); // Small is served by beta alone: its client has no log-probability middleware
            o.Tiers["Medium"].Deployments[0].LogProbabilities = true;
            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        }, logProbabilities: ["alpha"]);

        var routed = await h.AskAsync("confident?").AsTask().WaitAsync(Bound);

        Assert.Equal([AttemptOutcome.MissingConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(["small-b", "medium-a"], h.Server.Requests.Select(r => r.Model));
        Assert.False(h.Server.Requests[0].LogProbsRequested);
        Assert.Contains("UseOpenAILogProbabilities()", routed.Attempts[0].Reason); // the fix names the middleware
        Assert.NotNull(routed.Answer.Confidence);
        Assert.Single(h.Logs.GetSnapshot(), r => r.Id.Name == "MissingConfidence");
    }

    [Fact]
    public async Task An_endpoint_that_ignores_logprobs_fails_the_threshold_and_says_so()
    {
        await using var h = await HttpHarness.StartAsync(o =>
        {
            o.Tiers["Small"].Deployments[0].LogProbabilities = true;
            o.Tiers["Medium"].Deployments[0].LogProbabilities = true;
            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        }, logProbabilities: ["alpha"]);
        var ignoresLogprobs = h.Server.Answer;
        h.Server.Answer = r => r.Model == "small-a" ? ServerAnswer.Raw(Completion("small-a", "answer")) : ignoresLogprobs(r);

        var routed = await h.AskAsync("confident?").AsTask().WaitAsync(Bound);

        Assert.Equal([AttemptOutcome.MissingConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.True(h.Server.Requests[0].LogProbsRequested);
        Assert.Contains("the endpoint ignored logprobs", routed.Attempts[0].Reason);
    }

    /// <summary>A chat completion without <c>logprobs</c>, as an endpoint that ignores the request's <c>logprobs</c> sends it.</summary>
    internal static string Completion(string model, string content) =>
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":2,\"total_tokens\":22}}";

    /// <summary>A thread-safe chat client that always answers with the same response.</summary>
    private sealed class ConstantChatClient(ChatResponse response) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(response);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
