using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

public sealed class ResilienceOptionsTests
{
    private const string Json = """
        {
          "RoutedPrompts": {
            "WhenTierUnavailable": "Fail",
            "Resilience": { "AttemptTimeout": "00:00:20", "MaxRetries": 3, "RetryBaseDelay": "00:00:00.250", "BreakDuration": "00:01:00" },
            "Tiers": {
              "Small": {
                "WhenUnavailable": "Escalate",
                "Resilience": { "MaxRetries": 1, "FailureRatio": 0.25 },
                "Deployments": [
                  { "Provider": "openai", "Model": "small-model", "LogProbabilities": true, "Resilience": { "AttemptTimeout": "00:00:05" } },
                  { "Provider": "azure", "Model": "small-model" }
                ]
              },
              "Large": { "Deployments": [ { "Provider": "openai", "Model": "large-model" } ] }
            }
          }
        }
        """;

    private static RoutedPromptsOptions Bind(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddRoutedPrompts(configuration);
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddKeyedChatClient("azure", new ScriptedChatClient("azure", []));
        services.AddSingleton(new RoutedTaskSource(() => []));
        return services.BuildServiceProvider().GetRequiredService<IOptions<RoutedPromptsOptions>>().Value;
    }

    [Fact]
    public void Binds_from_configuration_and_layers_deployment_then_tier_then_root_then_defaults()
    {
        var options = Bind(Json);

        Assert.Equal(TierUnavailableBehavior.Fail, options.WhenTierUnavailable);
        Assert.Equal(TierUnavailableBehavior.Escalate, options.Tiers["Small"].WhenUnavailable);
        Assert.True(options.Tiers["Small"].Deployments[0].LogProbabilities);
        var settings = RouterSettings.Build(options);
        var (openAi, azure) = (settings.Deployments(Tier.Small)[0], settings.Deployments(Tier.Small)[1]);
        var large = settings.Deployments(Tier.Large)[0];

        Assert.Equal(TimeSpan.FromSeconds(5), openAi.Resilience.AttemptTimeout);          // deployment
        Assert.Equal(TimeSpan.FromSeconds(20), azure.Resilience.AttemptTimeout);          // root
        Assert.Equal((1, 1), (openAi.Resilience.MaxRetries, azure.Resilience.MaxRetries)); // tier
        Assert.Equal(3, large.Resilience.MaxRetries);                                    // root
        Assert.Equal(0.25, openAi.Resilience.FailureRatio);
        Assert.Equal(ResolvedResilience.Default.FailureRatio, large.Resilience.FailureRatio); // default
        Assert.Equal(TimeSpan.FromMinutes(1), large.Resilience.BreakDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(250), large.Resilience.RetryBaseDelay);
        Assert.True(openAi.LogProbabilities);
        Assert.False(azure.LogProbabilities);
        Assert.Equal(TierUnavailableBehavior.Escalate, settings.WhenUnavailable(Tier.Small));
        Assert.Equal(TierUnavailableBehavior.Fail, settings.WhenUnavailable(Tier.Medium));
    }

    [Fact]
    public void Defaults_are_sensible()
    {
        var d = ResolvedResilience.Resolve();

        Assert.Equal(ResolvedResilience.Default, d);
        Assert.Equal((TimeSpan.FromSeconds(30), 2, true, 0.5, 10), (d.AttemptTimeout, d.MaxRetries, d.CircuitBreakerEnabled, d.FailureRatio, d.MinimumThroughput));
        Assert.Equal(TierUnavailableBehavior.Escalate, new RoutedPromptsOptions().WhenTierUnavailable);
    }

    [Fact]
    public void Out_of_range_values_fail_validation_with_the_path_and_the_fix()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Resilience = new ResilienceOptions { AttemptTimeout = TimeSpan.Zero, MaxRetries = -1 };
            o.Tiers["Small"].Resilience = new ResilienceOptions { FailureRatio = 1.5, MinimumThroughput = 1 };
            o.Tiers["Large"].Deployments[1].Resilience = new ResilienceOptions { BreakDuration = TimeSpan.FromMilliseconds(100), SamplingDuration = TimeSpan.FromDays(2) };
        });

        var message = Assert.Throws<OptionsValidationException>(() => h.Router).Message;

        Assert.Contains("RoutedPrompts:Resilience:AttemptTimeout is 00:00:00; it must be between 00:00:00.0100000 and 1 day (for example \"00:00:30\").", message);
        Assert.Contains("RoutedPrompts:Resilience:MaxRetries is -1; it must be between 0 (no retries) and 100", message);
        Assert.Contains("RoutedPrompts:Tiers:Small:Resilience:FailureRatio is 1.5; the failure ratio that opens the circuit must be above 0 and at most 1", message);
        Assert.Contains("RoutedPrompts:Tiers:Small:Resilience:MinimumThroughput is 1; the circuit breaker needs at least 2 tries", message);
        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:1:Resilience:BreakDuration is 00:00:00.1000000; it must be between 00:00:00.5000000 and 1 day", message);
        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:1:Resilience:SamplingDuration is 2.00:00:00", message);
    }

    [Fact]
    public void Changed_resilience_settings_rebuild_the_deployment_pipeline()
    {
        var monitor = new TestOptionsMonitor(new RoutedPromptsOptions());
        Harness.DefaultTiers(monitor.CurrentValue);
        using var h = Harness.Create(services: s => s.AddSingleton<IOptionsMonitor<RoutedPromptsOptions>>(monitor));
        var router = h.Router;
        Assert.Equal(6, router.GetDeploymentHealth().Count);

        var changed = new RoutedPromptsOptions { Resilience = new ResilienceOptions { CircuitBreakerEnabled = false } };
        Harness.DefaultTiers(changed);
        monitor.CurrentValue = changed;

        Assert.All(router.GetDeploymentHealth(), d => Assert.Equal((DeploymentCircuitState.Closed, 0L), (d.CircuitState, d.Requests)));
    }
}
