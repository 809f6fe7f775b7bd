using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

public sealed class OptionsValidationTests
{
    private static string BuildFails(Action<RoutedPromptsOptions> configure, IReadOnlyList<RoutedTask>? catalog = null)
    {
        using var h = Harness.Create(configure, catalog: catalog);
        var ex = Assert.Throws<OptionsValidationException>(() => h.Router);
        return ex.Message;
    }

    [Fact]
    public void Valid_configuration_builds_a_router()
    {
        using var h = Harness.Create(catalog: [Tasks.Triage()]);

        Assert.NotNull(h.Router);
    }

    [Fact]
    public void Provider_without_a_keyed_chat_client()
    {
        var message = BuildFails(o => o.Tiers["Small"] = new TierOptions
        {
            Deployments = [new DeploymentOptions { Provider = "anthropic", Model = "claude-haiku" }],
        });

        Assert.Contains(
            "RoutedPrompts:Tiers:Small:Deployments:0:Provider 'anthropic' has no IChatClient registered. Register one with services.AddKeyedChatClient(\"anthropic\", ...)",
            message);
    }

    [Fact]
    public void Unknown_tier_name()
    {
        var message = BuildFails(o =>
        {
            Harness.DefaultTiers(o);
            o.Tiers["Huge"] = Harness.Tier("huge-model", 0, 0);
        });

        Assert.Contains("RoutedPrompts:Tiers:Huge is not a tier. Tier names are Small, Medium, Large", message);
    }

    [Fact]
    public void Empty_model_and_empty_provider()
    {
        var message = BuildFails(o => o.Tiers["Medium"] = new TierOptions
        {
            Deployments = [new DeploymentOptions { Provider = "openai", Model = " " }, new DeploymentOptions { Model = "m" }],
        });

        Assert.Contains("RoutedPrompts:Tiers:Medium:Deployments:0:Model is empty", message);
        Assert.Contains("RoutedPrompts:Tiers:Medium:Deployments:1:Provider is empty", message);
    }

    [Fact]
    public void Negative_prices()
    {
        var message = BuildFails(o => o.Tiers["Large"] = new TierOptions
        {
            Deployments = [new DeploymentOptions { Provider = "openai", Model = "m", InputUsdPerMillionTokens = -1, OutputUsdPerMillionTokens = -0.5m }],
        });

        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:0:InputUsdPerMillionTokens is -1; a price cannot be negative", message);
        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:0:OutputUsdPerMillionTokens is -0.5", message);
    }

    [Fact]
    public void Absurd_prices()
    {
        // A price near decimal's range would make a cost overflow inside the router (a raw OverflowException).
        var message = BuildFails(o => o.Tiers["Large"] = new TierOptions
        {
            Deployments = [new DeploymentOptions { Provider = "openai", Model = "m", InputUsdPerMillionTokens = 1e20m, CachedInputUsdPerMillionTokens = 1e25m }],
        });

        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:0:InputUsdPerMillionTokens is 100000000000000000000; a price is at most 1,000,000 USD", message);
        Assert.Contains("RoutedPrompts:Tiers:Large:Deployments:0:CachedInputUsdPerMillionTokens is 10000000000000000000000000", message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Threshold_outside_zero_to_one(double threshold)
    {
        var message = BuildFails(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Support.Triage"] = new TaskOptions { ConfidenceThreshold = threshold };
        });

        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:ConfidenceThreshold is", message);
        Assert.Contains("must be between 0 and 1", message);
    }

    [Fact]
    public void Task_entry_naming_no_registered_task_lists_the_known_ones()
    {
        var message = BuildFails(
            o =>
            {
                Harness.DefaultTiers(o);
                o.Tasks["Support.Triaje"] = new TaskOptions { MaxTier = Tier.Medium };
            },
            [Tasks.Triage(), Tasks.Summary()]);

        Assert.Contains("RoutedPrompts:Tasks:Support.Triaje names no routed task. Known tasks: Support.Triage, Support.Summary.", message);
    }

    [Fact]
    public void Task_entries_are_not_checked_against_an_empty_catalog()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Anything"] = new TaskOptions { MaxTier = Tier.Medium };
        });

        Assert.NotNull(h.Router);
    }

    [Fact]
    public void Registered_task_whose_start_tier_has_no_deployments()
    {
        var message = BuildFails(o => o.Tiers["Small"] = Harness.Tier(Harness.SmallModel, 0, 0), [Tasks.Triage(tier: Tier.Medium)]);

        Assert.Contains(
            "Routed task 'Support.Triage' starts at tier Medium, but RoutedPrompts:Tiers:Medium has no deployments. Add one under RoutedPrompts:Tiers:Medium:Deployments.",
            message);
    }

    [Fact]
    public void Options_bound_from_configuration_are_validated_too()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = "",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PromptRouter>());

        Assert.Contains("RoutedPrompts:Tiers:Small:Deployments:0:Model is empty", ex.Message);
    }

    [Theory]
    [InlineData("MaxTier", "-1")]
    [InlineData("Tier", "5")]
    public void A_task_tier_that_is_not_a_tier_is_reported_at_its_own_path(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = "m",
            [$"RoutedPrompts:Tasks:Support.Triage:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PromptRouter>());

        Assert.Contains($"RoutedPrompts:Tasks:Support.Triage:{key} is {value}, which is not a tier. Use a tier name: Small, Medium, Large.", ex.Message);
        Assert.DoesNotContain("RoutedPrompts:Tiers:5", ex.Message);
    }

    [Fact]
    public void Validation_is_registered_to_run_on_start()
    {
        var services = new ServiceCollection();
        services.AddRoutedPrompts(Harness.DefaultTiers);

        Assert.Contains(services, d => d.ServiceType.Name.Contains("IStartupValidator", StringComparison.Ordinal));
        Assert.Contains(services, d => d.ServiceType == typeof(IValidateOptions<RoutedPromptsOptions>));
        Assert.Contains(services, d => d.ServiceType == typeof(TimeProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(PromptRouter) && d.Lifetime == ServiceLifetime.Singleton);
    }
}
