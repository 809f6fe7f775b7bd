using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Tests;

/// <summary>
/// The configuration's keys are held to the one shape the analyzers also hold routedprompts.json to
/// (<see cref="RoutedPromptsShape"/>), and the per-task chat options reach every request.
/// </summary>
public sealed class ConfigurationKeysTests : IDisposable
{
    private const string Tiers = """
        "Tiers": {
          "Small": { "Deployments": [ { "Provider": "openai", "Model": "small-model", "InputUsdPerMillionTokens": 0.15, "OutputUsdPerMillionTokens": 0.6 } ] }
        }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("routedprompts-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (ServiceProvider Services, List<ScriptedCall> Log, ScriptedChatClient Client) Build(string json, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var path = Path.Combine(_dir, "routedprompts.json");
        File.WriteAllText(path, json);
        var configuration = new ConfigurationBuilder().AddRoutedPromptsFile(path).AddInMemoryCollection(overrides ?? []).Build();
        var log = new List<ScriptedCall>();
        var client = new ScriptedChatClient("openai", log);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", client);
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        return (services.BuildServiceProvider(), log, client);
    }

    private string Fails(string json, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        using var services = Build(json, overrides).Services;
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<PromptRouter>()).Message;
    }

    [Fact]
    public void A_misspelled_price_key_stops_start_up_naming_the_path_and_the_nearest_key()
    {
        var message = Fails("""{ "Tiers": { "Small": { "Deployments": [ { "Provider": "openai", "Model": "small-model", "InputUsdPerMilionTokens": 0.15 } ] } } }""");

        Assert.Contains("RoutedPrompts:Tiers:Small:Deployments:0:InputUsdPerMilionTokens is not a RoutedPrompts setting: did you mean 'InputUsdPerMillionTokens'?", message);
        Assert.Contains("RoutedPrompts__Tiers__Small__Deployments__0__InputUsdPerMilionTokens", message);
    }

    [Fact]
    public void An_unknown_key_from_an_environment_variable_is_refused_by_the_same_rule()
    {
        var message = Fails("{" + Tiers + "}", [new("RoutedPrompts:Tasks:Support.Triage:Temprature", "0.2"), new("RoutedPrompts:Resilence:MaxRetries", "1")]);

        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:Temprature is not a RoutedPrompts setting: did you mean 'Temperature'?", message);
        Assert.Contains("RoutedPrompts:Resilence is not a RoutedPrompts setting: did you mean 'Resilience'?", message);
        Assert.DoesNotContain("Resilence:MaxRetries", message); // one failure per unknown key, not one per key below it
    }

    [Fact]
    public void A_file_with_comments_trailing_commas_and_the_wrapper_is_accepted()
    {
        var (services, _, _) = Build("""
            // as in appsettings.json
            { "RoutedPrompts": { /* tiers */
            """ + Tiers + """
            , "LogContent": false, } }
            """);
        using (services)
        {
            Assert.NotNull(services.GetRequiredService<PromptRouter>());
        }
    }

    [Theory]
    [InlineData("Temperature", "2.5", "RoutedPrompts:Tasks:Support.Triage:Temperature is 2.5; it must be between 0 and 2 (for example 0.2).")]
    [InlineData("TopP", "1.5", "RoutedPrompts:Tasks:Support.Triage:TopP is 1.5; it must be between 0 and 1 (for example 0.9).")]
    [InlineData("MaxOutputTokens", "0", "RoutedPrompts:Tasks:Support.Triage:MaxOutputTokens is 0; it must be at least 1 (for example 1024).")]
    public void Chat_options_out_of_range_stop_start_up(string key, string value, string expected)
    {
        var message = Fails("{" + Tiers + "}", [new($"RoutedPrompts:Tasks:Support.Triage:{key}", value)]);

        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task The_tasks_chat_options_are_sent_with_every_request()
    {
        var (services, log, client) = Build("{" + Tiers + """
            , "Tasks": { "Support.Triage": { "Temperature": 0.2, "MaxOutputTokens": 256, "TopP": 0.9, "Seed": 42 } } }
            """);
        using (services)
        {
            client.Reply("small-model", Reply.Text(Reply.GoodTicket));

            await services.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Triage(), Tasks.Messages());

            var options = Assert.Single(log).Options!;
            Assert.Equal(0.2f, options.Temperature);
            Assert.Equal(256, options.MaxOutputTokens);
            Assert.Equal(0.9f, options.TopP);
            Assert.Equal(42L, options.Seed);
            Assert.Equal("small-model", options.ModelId);
        }
    }

    [Fact]
    public async Task Without_chat_options_the_providers_defaults_apply()
    {
        var (services, log, client) = Build("{" + Tiers + "}");
        using (services)
        {
            client.Reply("small-model", Reply.Text(Reply.GoodTicket));

            await services.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Triage(), Tasks.Messages());

            var options = Assert.Single(log).Options!;
            Assert.Null(options.Temperature);
            Assert.Null(options.MaxOutputTokens);
            Assert.Null(options.TopP);
            Assert.Null(options.Seed);
        }
    }

    [Fact]
    public void A_missing_file_says_how_to_fix_it()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddRoutedPromptsFile(Path.Combine(_dir, "routedprompts.json")));

        Assert.Contains("Add routedprompts.json next to the project (the RoutedPrompts package copies it to the output directory)", ex.Message);
    }

    /// <summary>
    /// Every option the binder can set is a key the shape knows (else a correct file would be refused), and every key the
    /// shape knows is an option (else a misspelled key would be accepted and bind to nothing).
    /// </summary>
    [Fact]
    public void The_shape_knows_every_option()
    {
        AssertKnows(RoutedPromptsShape.Root, typeof(RoutedPromptsOptions), "root");
        AssertKnows(RoutedPromptsShape.Root.Find("Tiers")!.Find("Small")!, typeof(TierOptions), "tier");
        AssertKnows(RoutedPromptsShape.Root.Find("Tiers")!.Find("Small")!.Find("Deployments")!.Element!, typeof(DeploymentOptions), "deployment");
        AssertKnows(RoutedPromptsShape.Task, typeof(TaskOptions), "task");
        AssertKnows(RoutedPromptsShape.Root.Find("Resilience")!, typeof(ResilienceOptions), "resilience");
        AssertKnows(RoutedPromptsShape.GlobalRule, typeof(RoutingRuleOptions), "global rule");
        AssertKnows(RoutedPromptsShape.GlobalRule.Find("When")!, typeof(RoutingRuleConditions), "rule condition");
        Assert.Same(RoutedPromptsShape.GlobalRule, RoutedPromptsShape.Root.Find("Rules")!.Element);
        Assert.Same(RoutedPromptsShape.TaskRule, RoutedPromptsShape.Task.Find("Rules")!.Element);
        // A task's rule is a global rule without Task (the task is the one whose Rules hold it).
        Assert.Equal(RoutedPromptsShape.GlobalRule.Keys.Select(k => k.Key).Where(k => k != "Task"), RoutedPromptsShape.TaskRule.Keys.Select(k => k.Key));
        Assert.Equal(Enum.GetNames<Tier>(), RoutedPromptsShape.TierNames);
        Assert.Equal(Enum.GetNames<Tier>(), RoutedPromptsShape.Root.Find("Tiers")!.Keys.Select(k => k.Key));

        static void AssertKnows(Setting setting, Type type, string level)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                Assert.True(setting.Find(property.Name) is not null, $"{type.Name}.{property.Name} is missing from the {level} keys of RoutedPromptsShape.");
            }

            foreach (var key in setting.Keys.Select(k => k.Key))
            {
                Assert.True(type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: true },
                    $"RoutedPromptsShape knows the {level} key '{key}', which {type.Name} has no property for.");
            }
        }
    }
}
