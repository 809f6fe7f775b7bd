using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

/// <summary>
/// The router composes a plan once per options snapshot: it reads the options only after a change notification, keeps
/// each deployment's breaker and health across reloads, and classifies a failed try once.
/// </summary>
public sealed class RoutePlanTests
{
    private const string ModelKey = "RoutedPrompts:Tiers:Small:Deployments:0:Model";

    [Fact]
    public async Task An_open_circuit_stays_open_after_a_reload_that_leaves_its_breaker_settings()
    {
        static RoutedPromptsOptions Options(int maxRetries, decimal largePrice)
        {
            var options = new RoutedPromptsOptions { Resilience = new ResilienceOptions { MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.Zero } };
            Harness.DefaultTiers(options);
            options.Tiers["Small"].Resilience = new ResilienceOptions { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromMinutes(1) };
            options.Tiers["Large"] = Harness.Tier(Harness.LargeModel, largePrice, 30m);
            return options;
        }

        var monitor = new TestOptionsMonitor(Options(maxRetries: 0, largePrice: 10m));
        using var h = Harness.Create(services: s => s.AddSingleton<IOptionsMonitor<RoutedPromptsOptions>>(monitor));
        var router = h.Router;
        DeploymentHealth SmallOpenAi() => router.GetDeploymentHealth().Single(d => d.Tier == Tier.Small && d.Deployment.Provider == "openai");
        for (var i = 0; i < 2; i++)
        {
            h.OpenAi.Throw(Harness.SmallModel, new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable));
            h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
            await router.RouteAsync(Tasks.Triage(), Tasks.Messages());
        }

        Assert.Equal((DeploymentCircuitState.Open, 2L, 2L), (SmallOpenAi().CircuitState, SmallOpenAi().Requests, SmallOpenAi().Failures));

        // Retries on and a price elsewhere: a new plan, the same breaker settings.
        monitor.CurrentValue = Options(maxRetries: 1, largePrice: 12m);
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
        var routed = await router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal((DeploymentCircuitState.Open, 2L, 2L), (SmallOpenAi().CircuitState, SmallOpenAi().Requests, SmallOpenAi().Failures));
        Assert.Equal((AttemptOutcome.CircuitOpen, 0), (routed.Attempts[0].Outcome, routed.Attempts[0].Requests));
        Assert.Equal(2, h.OpenAi.Calls.Count); // the open circuit shed the request: openai was not called again
        Assert.Equal(new DeploymentInfo("azure", Harness.SmallModel), routed.Deployment);
    }

    [Fact]
    public async Task A_deployment_removed_by_a_reload_and_added_back_starts_with_fresh_health()
    {
        var monitor = new TestOptionsMonitor(Defaults());
        using var h = Harness.Create(services: s => s.AddSingleton<IOptionsMonitor<RoutedPromptsOptions>>(monitor));
        var router = h.Router;
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
        await router.RouteAsync(Tasks.Triage(), Tasks.Messages());
        Assert.Equal(1L, router.GetDeploymentHealth()[0].Requests);

        var without = Defaults();
        without.Tiers["Small"].Deployments.RemoveAt(0);
        monitor.CurrentValue = without;
        Assert.Equal(5, router.GetDeploymentHealth().Count);
        monitor.CurrentValue = Defaults();

        Assert.Equal(0L, router.GetDeploymentHealth()[0].Requests);

        static RoutedPromptsOptions Defaults()
        {
            var options = new RoutedPromptsOptions { Resilience = new ResilienceOptions { MaxRetries = 0 } };
            Harness.DefaultTiers(options);
            return options;
        }
    }

    [Fact]
    public async Task The_plan_is_rebuilt_when_the_options_change_and_the_options_are_not_read_per_request()
    {
        var (configuration, provider, openAi, monitor, router) = Configured();
        await using var _ = provider;
        var task = Tasks.Triage(maxTier: Tier.Small);
        var reads = monitor.Reads;

        for (var i = 0; i < 3; i++)
        {
            openAi.Reply("small-v1", Reply.Text(Reply.GoodTicket));
            Assert.Equal("small-v1", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model);
        }

        Assert.Equal(reads, monitor.Reads); // no change, no read

        Reload(configuration, ModelKey, "small-v2");
        for (var i = 0; i < 3; i++)
        {
            openAi.Reply("small-v2", Reply.Text(Reply.GoodTicket));
            Assert.Equal("small-v2", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model);
        }

        Assert.Equal(reads + 1, monitor.Reads); // the change is read once, by the request after it
        Assert.Equal(["small-v2"], router.GetDeploymentHealth().Select(d => d.Deployment.Model));
    }

    [Fact]
    public async Task A_rejected_reload_is_read_once_not_thrown_per_request()
    {
        var (configuration, provider, openAi, monitor, router) = Configured();
        await using var _ = provider;
        var task = Tasks.Triage(maxTier: Tier.Small);

        Reload(configuration, ModelKey, " ");
        for (var i = 0; i < 5; i++)
        {
            openAi.Reply("small-v1", Reply.Text(Reply.GoodTicket));
            Assert.Equal("small-v1", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model); // the last good plan
            Assert.True(router.GetConfigurationHealth().Degraded);
        }

        Assert.Equal(1, monitor.Rejections);

        // The next valid edit is read (once) and served.
        Reload(configuration, ModelKey, "small-v2");
        openAi.Reply("small-v2", Reply.Text(Reply.GoodTicket));
        Assert.Equal("small-v2", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model);
        Assert.Equal(ConfigurationHealth.Current, router.GetConfigurationHealth());
        Assert.Equal(1, monitor.Rejections);
    }

    [Fact]
    public async Task A_reload_whose_chat_client_cannot_be_created_keeps_the_last_plan_and_names_no_secret()
    {
        static RoutedPromptsOptions Options(string provider)
        {
            var options = new RoutedPromptsOptions { Resilience = new ResilienceOptions { MaxRetries = 0 } };
            Harness.DefaultTiers(options);
            options.Tiers["Small"].Deployments[0].Provider = provider;
            return options;
        }

        var monitor = new TestOptionsMonitor(Options("openai"));
        using var h = Harness.Create(services: s =>
        {
            s.AddSingleton<IOptionsMonitor<RoutedPromptsOptions>>(monitor);
            s.AddKeyedChatClient("broken", _ => throw new InvalidOperationException("connection string Key=sk-secret-123"));
        });
        var task = Tasks.Triage(maxTier: Tier.Small);
        var router = h.Router; // composed on the first configuration

        monitor.CurrentValue = Options("broken");
        for (var i = 0; i < 3; i++)
        {
            // Old: every request threw the factory's exception while composing the new plan.
            h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
            Assert.Equal("openai", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Provider);
        }

        var health = router.GetConfigurationHealth();
        Assert.True(health.Degraded);
        Assert.Contains("InvalidOperationException", health.Reason);
        Assert.DoesNotContain("sk-secret-123", health.Reason);
    }

    [Fact]
    public async Task A_failed_try_is_classified_once()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Resilience.MaxRetries = 1;
            o.Resilience.RetryBaseDelay = TimeSpan.Zero;
        });
        var classified = new int[1];
        h.OpenAi.Reply(Harness.SmallModel, _ => Task.FromException<ChatResponse>(new ClassificationCountingException(classified)));
        h.OpenAi.Reply(Harness.SmallModel, _ => Task.FromException<ChatResponse>(new ClassificationCountingException(classified)));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        var failed = routed.Attempts[0];
        Assert.Equal((AttemptOutcome.ProviderError, ProviderFailureKind.MalformedResponse, 2, 1), (failed.Outcome, failed.Failure, failed.Requests, failed.Retries));
        Assert.Equal("ClassificationCountingException after 2 tries", failed.Reason);
        Assert.Equal(2, classified[0]); // once per try: not again by the breaker, the retry, its log or the attempt's reason
    }

    /// <summary>A router over configuration that can be reloaded, reading its options through a <see cref="CountingOptionsMonitor"/>.</summary>
    private static (IConfigurationRoot Configuration, ServiceProvider Provider, ScriptedChatClient OpenAi, CountingOptionsMonitor Monitor, PromptRouter Router) Configured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            [ModelKey] = "small-v1",
            ["RoutedPrompts:Resilience:MaxRetries"] = "0",
        }).Build();
        var openAi = new ScriptedChatClient("openai", []);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", openAi);
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(configuration);
        var provider = services.BuildServiceProvider();
        var monitor = new CountingOptionsMonitor(provider.GetRequiredService<IOptionsMonitor<RoutedPromptsOptions>>());
        return (configuration, provider, openAi, monitor, new PromptRouter(provider, monitor));
    }

    /// <summary>Changes one value and reloads; a validation failure inside the monitor's change callback is not what is tested.</summary>
    private static void Reload(IConfigurationRoot configuration, string key, string value)
    {
        configuration[key] = value;
        try
        {
            configuration.Reload();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
        }
    }

    /// <summary>Counts what the router reads from the options monitor.</summary>
    private sealed class CountingOptionsMonitor(IOptionsMonitor<RoutedPromptsOptions> inner) : IOptionsMonitor<RoutedPromptsOptions>
    {
        public int Reads { get; private set; }

        public int Rejections { get; private set; }

        public RoutedPromptsOptions CurrentValue
        {
            get
            {
                Reads++;
                try
                {
                    return inner.CurrentValue;
                }
                catch (OptionsValidationException)
                {
                    Rejections++;
                    throw;
                }
            }
        }

        public RoutedPromptsOptions Get(string? name) => inner.Get(name);

        public IDisposable? OnChange(Action<RoutedPromptsOptions, string?> listener) => inner.OnChange(listener);
    }

    /// <summary>
    /// A failure System.Text.Json reports (a malformed body: retried) that counts how often the router classifies it:
    /// each classification reads its source once.
    /// </summary>
    private sealed class ClassificationCountingException(int[] count) : Exception("unreadable")
    {
        public override string? Source
        {
            get
            {
                Interlocked.Increment(ref count[0]);
                return "System.Text.Json";
            }
            set => throw new NotSupportedException();
        }
    }
}
