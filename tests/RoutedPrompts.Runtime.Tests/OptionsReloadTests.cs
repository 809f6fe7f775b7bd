using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

/// <summary>A reload that fails validation keeps the last valid configuration serving, and says so once.</summary>
public sealed class OptionsReloadTests
{
    private const string ModelKey = "RoutedPrompts:Tiers:Small:Deployments:0:Model";

    [Fact]
    public async Task An_invalid_reload_keeps_serving_the_last_valid_settings_logs_once_and_reports_degraded_health()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            [ModelKey] = "small-v1",
            ["RoutedPrompts:Resilience:MaxRetries"] = "0",
        }).Build();
        var log = new List<ScriptedCall>();
        var openAi = new ScriptedChatClient("openai", log);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", openAi);
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddRoutedPrompts(configuration);
        await using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<PromptRouter>();
        var task = Tasks.Triage(maxTier: Tier.Small);
        int Rejections() => provider.GetFakeLogCollector().GetSnapshot().Count(r => r.Id.Name == "ReloadRejected");

        Assert.False(router.GetConfigurationHealth().Degraded);

        // An invalid edit: the deployment loses its model.
        Reload(configuration, ModelKey, " ");
        for (var i = 0; i < 3; i++)
        {
            openAi.Reply("small-v1", Reply.Text(Reply.GoodTicket));
            var routed = await router.RouteAsync(task, Tasks.Messages());
            Assert.Equal("small-v1", routed.Deployment.Model); // the last valid settings
        }

        var health = router.GetConfigurationHealth();
        Assert.True(health.Degraded);
        Assert.Contains($"{ModelKey} is empty", health.Reason, StringComparison.Ordinal);
        Assert.NotNull(health.RejectedAt);
        Assert.Equal(1, Rejections());
        var logged = provider.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Name == "ReloadRejected");
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains($"{ModelKey} is empty", logged.Message, StringComparison.Ordinal);

        // A second invalid edit is a new change: logged again.
        Reload(configuration, "RoutedPrompts:Tasks:Support.Triage:ConfidenceThreshold", "7");
        openAi.Reply("small-v1", Reply.Text(Reply.GoodTicket));
        Assert.Equal("small-v1", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model);
        Assert.Equal(2, Rejections());

        // A valid edit takes effect and clears the degraded state.
        configuration["RoutedPrompts:Tasks:Support.Triage:ConfidenceThreshold"] = "0.5";
        Reload(configuration, ModelKey, "small-v2");
        openAi.Reply("small-v2", Reply.Text(Reply.GoodTicket, confidence: 0.9));
        Assert.Equal("small-v2", (await router.RouteAsync(task, Tasks.Messages())).Deployment.Model);
        Assert.Equal(ConfigurationHealth.Current, router.GetConfigurationHealth());
        Assert.Equal(2, Rejections());
    }

    [Fact]
    public void Invalid_options_still_fail_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            [ModelKey] = " ",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PromptRouter>());

        Assert.Contains($"{ModelKey} is empty", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Changes one value and reloads. The options monitor re-validates inside the change callback; a failure surfaces
    /// from <see cref="IConfigurationRoot.Reload"/> here (from the file watcher in an app), which is not what is tested.
    /// </summary>
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
}
