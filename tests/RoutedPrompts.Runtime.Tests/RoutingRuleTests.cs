using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

/// <summary>
/// Routing rules: matched per request before the cascade (first match, the task's rules before the global ones), the
/// range narrowed within the code's floor and ceiling, the decision on <see cref="Routed{T}.Route"/>, invalid rules
/// refused at start and on reload, telemetry.
/// </summary>
public sealed class RoutingRuleTests
{
    private const string Ticket = "My invoice is wrong";

    private static Harness Create(Action<RoutedPromptsOptions> rules, Action<IServiceCollection>? services = null) => Harness.Create(
        o =>
        {
            Harness.DefaultTiers(o);
            rules(o);
        },
        s =>
        {
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
            s.AddFakeLogging();
            services?.Invoke(s);
        },
        [Tasks.Triage(), Tasks.Triage("Support.Other")]);

    private static RoutingRuleOptions Rule(RoutingRuleConditions? when, Tier? start = Tier.Medium, Tier? max = null, string? name = "rule", string? task = null) =>
        new() { Name = name, When = when, StartTier = start, MaxTier = max, Task = task };

    /// <summary>Routes one request whose every tier answers well; returns the decision and the models called.</summary>
    private static async Task<(RouteDecision Decision, string[] Models)> RouteAsync(
        Harness h, RoutedTask<Ticket>? task = null, string ticket = Ticket, RouteContext? context = null, IReadOnlyList<object?>? arguments = null)
    {
        foreach (var model in new[] { Harness.SmallModel, Harness.MediumModel, Harness.LargeModel })
        {
            h.OpenAi.Reply(model, Reply.Text(Reply.GoodTicket));
        }

        var routed = await h.Router.RouteAsync(task ?? Tasks.Triage(), Tasks.Messages(ticket), context, arguments ?? [ticket], CancellationToken.None);
        return (routed.Route!, h.Log.Select(c => c.ModelId!).ToArray());
    }

    public static TheoryData<string, RoutingRuleConditions, string, RouteContext?, bool> Conditions => new()
    {
        { "feature", new() { Feature = "checkout" }, Ticket, new RouteContext { Feature = "Checkout" }, true },
        { "feature", new() { Feature = "checkout" }, Ticket, new RouteContext { Feature = "search" }, false },
        { "feature without context", new() { Feature = "checkout" }, Ticket, null, false },
        { "user tier", new() { UserTier = "free" }, Ticket, new RouteContext { UserTier = "FREE" }, true },
        { "user tier", new() { UserTier = "free" }, Ticket, new RouteContext { UserTier = "pro" }, false },
        { "tags", new() { Tags = ["beta", "eu"] }, Ticket, new RouteContext { Tags = ["eu", "beta", "x"] }, true },
        { "tags", new() { Tags = ["beta", "eu"] }, Ticket, new RouteContext { Tags = ["beta"] }, false },
        { "min length", new() { MinPromptLength = 20 }, new string('x', 20), null, true }, // "Ticket: " + 20 = 28 characters
        { "min length", new() { MinPromptLength = 29 }, new string('x', 20), null, false },
        { "max length", new() { MaxPromptLength = 28 }, new string('x', 20), null, true },
        { "max length", new() { MaxPromptLength = 27 }, new string('x', 20), null, false },
        { "has code", new() { HasCode = true }, "it crashes:\n```\nx = f(y)\n```", null, true },
        { "has code", new() { HasCode = true }, Ticket, null, false },
        { "has no code", new() { HasCode = false }, Ticket, null, true },
        { "has no code", new() { HasCode = false }, "int x = 1;\nreturn x;", null, false },
        { "pattern", new() { Parameter = "text", Pattern = "(?i)stack ?trace" }, "here is the StackTrace", null, true },
        { "pattern", new() { Parameter = "text", Pattern = "(?i)stack ?trace" }, Ticket, null, false },
        // Estimated: ("Classify the ticket." 20 + "Ticket: ..." 27 characters + 3) / 4 = 12, plus 4 per message = 20.
        { "min tokens", new() { MinInputTokens = 20 }, Ticket, null, true },
        { "min tokens", new() { MinInputTokens = 21 }, Ticket, null, false },
        { "max tokens", new() { MaxInputTokens = 20 }, Ticket, null, true },
        { "max tokens", new() { MaxInputTokens = 19 }, Ticket, null, false },
        { "all conditions", new() { Feature = "checkout", UserTier = "free", MaxPromptLength = 100 }, Ticket, new RouteContext { Feature = "checkout", UserTier = "free" }, true },
        { "all conditions", new() { Feature = "checkout", UserTier = "free", MaxPromptLength = 10 }, Ticket, new RouteContext { Feature = "checkout", UserTier = "free" }, false },
        { "no conditions", new(), Ticket, null, true },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task A_rule_raises_the_start_tier_only_when_its_conditions_hold(string condition, RoutingRuleConditions when, string ticket, RouteContext? context, bool matches)
    {
        using var h = Create(o => o.Rules.Add(Rule(when)));

        var (decision, models) = await RouteAsync(h, ticket: ticket, context: context);

        Assert.True(matches == (decision.Rule == "rule"), condition);
        Assert.Equal(matches ? Tier.Medium : Tier.Small, decision.Start);
        Assert.Equal(Tier.Small, decision.PlannedStart);
        Assert.Equal(Tier.Large, decision.Max);
        Assert.Equal([matches ? Harness.MediumModel : Harness.SmallModel], models); // the cheap attempt is skipped, not paid for
        Assert.Same(context, decision.Context);
    }

    [Fact]
    public async Task A_pattern_reads_the_named_parameter_as_the_prompt_renders_it()
    {
        using var h = Create(o => o.Tasks["Support.Triage"] = new TaskOptions { Rules = [Rule(new() { Parameter = "text", Pattern = "^4[0-9]$" })] });

        Assert.Equal(Tier.Medium, (await RouteAsync(h, arguments: [42])).Decision.Start);
        h.Log.Clear();
        Assert.Equal(Tier.Small, (await RouteAsync(h, arguments: [4.5])).Decision.Start);
        h.Log.Clear();
        Assert.Equal(Tier.Small, (await RouteAsync(h, arguments: null)).Decision.Start); // a hand-written call has no arguments: no match
    }

    [Fact]
    public async Task The_task_rules_come_before_the_global_rules_and_the_first_match_wins()
    {
        using var h = Create(o =>
        {
            o.Rules.Add(Rule(new() { Feature = "checkout" }, Tier.Large, name: "global-first"));
            o.Rules.Add(Rule(null, Tier.Large, name: "global-second"));
            o.Tasks["Support.Triage"] = new TaskOptions { Rules = [Rule(new() { UserTier = "free" }, Tier.Medium, name: "task-first"), Rule(new() { UserTier = "free" }, Tier.Large, name: "task-second")] };
        });

        Assert.Equal("task-first", (await RouteAsync(h, context: new() { Feature = "checkout", UserTier = "free" })).Decision.Rule);
        Assert.Equal("global-first", (await RouteAsync(h, context: new() { Feature = "checkout" })).Decision.Rule);
        Assert.Equal("global-second", (await RouteAsync(h)).Decision.Rule);
    }

    [Fact]
    public async Task A_global_rule_with_a_task_applies_to_that_task_only_and_an_unnamed_rule_is_known_by_its_path()
    {
        using var h = Create(o => o.Rules.Add(Rule(null, name: null, task: "Support.Other")));

        Assert.Null((await RouteAsync(h)).Decision.Rule);
        var other = await RouteAsync(h, Tasks.Triage("Support.Other"));
        Assert.Equal("RoutedPrompts:Rules:0", other.Decision.Rule);
        Assert.Equal(Tier.Medium, other.Decision.Start);
    }

    [Fact]
    public async Task A_rule_cannot_go_below_the_code_tier_nor_above_its_max_tier()
    {
        using var h = Create(o =>
        {
            o.Tasks["Support.Triage"] = new TaskOptions { Rules = [Rule(new() { Feature = "cap" }, start: null, max: Tier.Small)] };
            o.Tasks["Support.Other"] = new TaskOptions { Rules = [Rule(new() { Feature = "raise" }, start: Tier.Large)] };
        });

        // The code says Medium..Large: a cap of Small stops at the floor.
        var floor = await RouteAsync(h, Tasks.Triage(tier: Tier.Medium), context: new() { Feature = "cap" });
        Assert.Equal((Tier.Medium, Tier.Medium), (floor.Decision.Start, floor.Decision.Max));

        // The code says Small..Medium: a start of Large stops at the ceiling.
        var ceiling = await RouteAsync(h, Tasks.Triage("Support.Other", maxTier: Tier.Medium), context: new() { Feature = "raise" });
        Assert.Equal((Tier.Medium, Tier.Medium), (ceiling.Decision.Start, ceiling.Decision.Max));
    }

    [Fact]
    public async Task A_rule_never_lowers_a_configured_start()
    {
        using var h = Create(o => o.Tasks["Support.Triage"] = new TaskOptions { Tier = Tier.Medium, Rules = [Rule(null, start: Tier.Small)] });

        var (decision, models) = await RouteAsync(h);

        Assert.Equal((Tier.Medium, Tier.Medium), (decision.PlannedStart, decision.Start));
        Assert.Equal([Harness.MediumModel], models);
    }

    [Fact]
    public async Task A_lowered_cap_stops_escalation_and_the_failure_carries_the_decision()
    {
        using var h = Create(o => o.Rules.Add(Rule(new() { UserTier = "free" }, start: null, max: Tier.Small, name: "free-cap")));
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("not json"));

        var failure = await Assert.ThrowsAsync<RoutingException>(() =>
            h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages(), new RouteContext { UserTier = "free" }, [Ticket], CancellationToken.None).AsTask());

        Assert.All(failure.Attempts, a => Assert.Equal(Tier.Small, a.Tier));
        Assert.Equal("free-cap", failure.Route!.Rule);
        Assert.Equal((Tier.Small, Tier.Small), (failure.Route.Start, failure.Route.Max));
        Assert.Single(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "RuleApplied" && r.Message.Contains("free-cap set the range to Small..Small (planned Small..Large)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_rules_every_request_still_records_its_planned_range()
    {
        using var h = Create(_ => { });

        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Medium), Tasks.Messages());

        Assert.Equal((Tier.Small, Tier.Small, Tier.Medium), (routed.Route!.PlannedStart, routed.Route.Start, routed.Route.Max));
        Assert.Null(routed.Route.Rule);
        Assert.Null(routed.Route.InputTokens);
        Assert.DoesNotContain(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "RuleApplied");
    }

    [Fact]
    public async Task A_pattern_that_times_out_is_no_match_logged_once_never_an_exception()
    {
        using var h = Create(o => o.Rules.Add(Rule(new() { Parameter = "text", Pattern = "^(a+)+$" }, name: "catastrophic")));
        var hostile = new string('a', 40) + "!";

        for (var i = 0; i < 2; i++)
        {
            var (decision, _) = await RouteAsync(h, ticket: hostile);
            Assert.Equal(Tier.Small, decision.Start);
            Assert.Null(decision.Rule);
        }

        var logged = Assert.Single(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "RulePatternTimeout");
        Assert.Contains("catastrophic", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(hostile, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_are_estimated_and_flagged_without_a_tokenizer_for_the_model()
    {
        using var h = Create(o => o.Rules.Add(Rule(new() { MinInputTokens = 1 })));

        var (decision, _) = await RouteAsync(h);

        Assert.True(decision.InputTokensEstimated);
        Assert.Equal(PromptFeatures.EstimateTokens(Tasks.Messages()), decision.InputTokens);
    }

    [Fact]
    public async Task Tokens_are_counted_exactly_with_the_OpenAI_tokenizer_of_the_planned_start_tiers_first_model()
    {
        using var h = Harness.Create(
            o =>
            {
                Harness.DefaultTiers(o);
                o.Tiers["Small"] = Harness.Tier("gpt-4o-mini", 0.15m, 0.6m);
                o.Rules.Add(Rule(new() { MaxInputTokens = 8 }, name: "short"));
            },
            s => s.AddOpenAITokenCounter());
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));
        IReadOnlyList<ChatMessage> messages = [new(ChatRole.User, "Hello world")]; // o200k_base: "Hello", " world"

        var routed = await h.Router.RouteAsync(Tasks.Triage(), messages, null, ["Hello world"], CancellationToken.None);

        Assert.False(routed.Route!.InputTokensEstimated);
        Assert.Equal(OpenAITokenCounter.TokensPerRequest + OpenAITokenCounter.TokensPerMessage + 2, routed.Route.InputTokens);
        Assert.Equal("short", routed.Route.Rule);
        Assert.NotEqual(PromptFeatures.EstimateTokens(messages), routed.Route.InputTokens);
    }

    [Fact]
    public void The_OpenAI_counter_matches_the_encoding_and_declines_unknown_models()
    {
        var counter = new OpenAITokenCounter();
        const string text = "Routing rules raise the start tier of a request whose prompt is obviously hard.";
        IReadOnlyList<ChatMessage> messages = [new(ChatRole.System, "Classify."), new(ChatRole.User, text)];
        var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o");

        Assert.True(counter.TryCountTokens("gpt-4o", messages, out var tokens));
        Assert.Equal(3 + (3 + tokenizer.CountTokens("Classify.")) + (3 + tokenizer.CountTokens(text)), tokens);
        Assert.False(counter.TryCountTokens("claude-3-haiku", messages, out _));
        Assert.False(counter.TryCountTokens("small-model", messages, out _));
    }

    [Fact]
    public async Task Tokens_are_not_counted_when_no_rule_has_a_token_condition()
    {
        var counter = new CountingTokenCounter();
        using var h = Create(o => o.Rules.Add(Rule(new() { Feature = "x" })), s => s.AddSingleton<IPromptTokenCounter>(counter));

        var (decision, _) = await RouteAsync(h);

        Assert.Equal(0, counter.Calls);
        Assert.Null(decision.InputTokens);
    }

    [Fact]
    public async Task The_context_and_the_rule_reach_the_activity_and_the_requests_metric()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RoutedPromptsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var h = Create(o => o.Rules.Add(Rule(new() { Feature = "checkout" }, name: "checkout-medium")), s => s.AddMetrics());
        using var requests = new MetricCollector<long>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.RequestsInstrument);
        var task = Tasks.Triage("Telemetry.Rules");

        await RouteAsync(h, task, context: new RouteContext { Feature = "checkout", UserTier = "free", Tenant = "acme" });

        Activity route;
        lock (activities)
        {
            route = Assert.Single(activities, a => a.OperationName == "RoutedPrompts.Route" && (string?)a.GetTagItem("task") == "Telemetry.Rules");
        }

        Assert.Equal("checkout", route.GetTagItem("routedprompts.context.feature"));
        Assert.Equal("free", route.GetTagItem("routedprompts.context.user_tier"));
        Assert.Equal("acme", route.GetTagItem("routedprompts.context.tenant"));
        Assert.Equal("checkout-medium", route.GetTagItem("routedprompts.route.rule"));
        Assert.Equal("Medium", route.GetTagItem("routedprompts.route.start_tier"));
        Assert.Equal("Small", route.GetTagItem("routedprompts.route.planned_start_tier"));
        var measurement = Assert.Single(requests.GetMeasurementSnapshot(), m => (string?)m.Tags["task"] == "Telemetry.Rules");
        Assert.Equal("checkout", measurement.Tags["feature"]);
        Assert.Equal("checkout-medium", measurement.Tags["rule"]);
        Assert.False(measurement.Tags.ContainsKey("tenant"));
    }

    [Fact]
    public void An_invalid_rule_stops_start_up_naming_its_path_and_the_fix()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = "m",
            ["RoutedPrompts:Rules:0:Task"] = "Support.Triag",
            ["RoutedPrompts:Rules:0:StartTier"] = "Medium",
            ["RoutedPrompts:Rules:1:When:Parameter"] = "ticket",
            ["RoutedPrompts:Rules:1:When:Pattern"] = "(unclosed",
            ["RoutedPrompts:Rules:1:MaxTier"] = "Small",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:0:When:MinPromptLength"] = "500",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:0:When:MaxPromptLength"] = "100",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:0:StartTier"] = "Large",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:1:When:Feature"] = "checkout",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:2:StartTier"] = "7",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:3:When:MinInputTokens"] = "-5",
            ["RoutedPrompts:Tasks:Support.Triage:Rules:3:MaxTier"] = "Small",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var message = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PromptRouter>()).Message;

        Assert.Contains("RoutedPrompts:Rules:0:Task 'Support.Triag' names no routed task: did you mean 'Support.Triage'?", message);
        Assert.Contains("RoutedPrompts:Rules:1:When:Parameter 'ticket' is a parameter of no routed task: did you mean 'text'?", message);
        Assert.Contains("RoutedPrompts:Rules:1:When:Pattern '(unclosed' is not a valid regular expression", message);
        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:Rules:0:When:MinPromptLength (500) is above When:MaxPromptLength (100)", message);
        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:Rules:1 has no action: set StartTier", message);
        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:Rules:2:StartTier is '7', which is not a tier.", message);
        Assert.Contains("RoutedPrompts:Tasks:Support.Triage:Rules:3:When:MinInputTokens is -5; it must be between 0 and", message);
    }

    [Fact]
    public void A_misspelled_key_inside_a_rule_is_an_unknown_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = "m",
            ["RoutedPrompts:Rules:0:When:Featur"] = "checkout",
            ["RoutedPrompts:Rules:0:StartTier"] = "Medium",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var message = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PromptRouter>()).Message;

        Assert.Contains("RoutedPrompts:Rules:0:When:Featur is not a RoutedPrompts setting: did you mean 'Feature'?", message);
    }

    [Fact]
    public async Task A_reload_with_an_invalid_rule_is_rejected_and_the_last_plan_keeps_serving()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = Harness.SmallModel,
            ["RoutedPrompts:Tiers:Medium:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Medium:Deployments:0:Model"] = Harness.MediumModel,
            ["RoutedPrompts:Resilience:MaxRetries"] = "0",
            ["RoutedPrompts:Rules:0:Name"] = "checkout-medium",
            ["RoutedPrompts:Rules:0:When:Feature"] = "checkout",
            ["RoutedPrompts:Rules:0:StartTier"] = "Medium",
        }).Build();
        var log = new List<ScriptedCall>();
        var openAi = new ScriptedChatClient("openai", log);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", openAi);
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        await using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<PromptRouter>();
        var checkout = new RouteContext { Feature = "checkout" };

        configuration["RoutedPrompts:Rules:0:When:Pattern"] = "(unclosed"; // and no Parameter
        try
        {
            configuration.Reload();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            // the options monitor's own listeners see the failure; the router keeps serving (below)
        }

        openAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));
        var routed = await router.RouteAsync(Tasks.Triage(), Tasks.Messages(), checkout, [Ticket], CancellationToken.None);

        Assert.Equal("checkout-medium", routed.Route!.Rule); // the last valid plan's rule
        var health = router.GetConfigurationHealth();
        Assert.True(health.Degraded);
        Assert.Contains("RoutedPrompts:Rules:0:When:Pattern '(unclosed' is not a valid regular expression", health.Reason, StringComparison.Ordinal);

        // A valid edit takes effect: the rule now caps instead of raising.
        configuration["RoutedPrompts:Rules:0:When:Pattern"] = null;
        configuration["RoutedPrompts:Rules:0:StartTier"] = null;
        configuration["RoutedPrompts:Rules:0:MaxTier"] = "Small";
        configuration.Reload();
        openAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
        routed = await router.RouteAsync(Tasks.Triage(), Tasks.Messages(), checkout, [Ticket], CancellationToken.None);

        Assert.Equal((Tier.Small, Tier.Small), (routed.Route!.Start, routed.Route.Max));
        Assert.False(router.GetConfigurationHealth().Degraded);
    }

    [Fact]
    public async Task A_reload_with_a_rule_tier_that_is_not_a_tier_name_is_rejected_not_thrown_per_request()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoutedPrompts:Tiers:Small:Deployments:0:Provider"] = "openai",
            ["RoutedPrompts:Tiers:Small:Deployments:0:Model"] = Harness.SmallModel,
            ["RoutedPrompts:Resilience:MaxRetries"] = "0",
            ["RoutedPrompts:Rules:0:MaxTier"] = "Small",
        }).Build();
        var log = new List<ScriptedCall>();
        var openAi = new ScriptedChatClient("openai", log);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", openAi);
        services.AddSingleton(new RoutedTaskSource(() => [Tasks.Triage()]));
        services.AddRoutedPrompts(configuration);
        await using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<PromptRouter>();

        configuration["RoutedPrompts:Rules:0:MaxTier"] = "Huge";
        try
        {
            configuration.Reload();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is InvalidOperationException))
        {
            // the options monitor's own listeners see the failure; the router keeps serving (below)
        }

        for (var i = 0; i < 2; i++)
        {
            openAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
            var routed = await router.RouteAsync(Tasks.Triage(), Tasks.Messages(), null, [Ticket], CancellationToken.None);
            Assert.Equal("RoutedPrompts:Rules:0", routed.Route!.Rule); // the last valid rules
        }

        var health = router.GetConfigurationHealth();
        Assert.True(health.Degraded);
        Assert.Contains("RoutedPrompts:Rules:0:MaxTier", health.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Here is my code:\n```csharp\nvar x = 1;\n```")]
    [InlineData("int Add(int a, int b) {\n    return a + b;\n}")]
    [InlineData("def add(a, b):\n    return a + b")]
    [InlineData("function add(a, b) {\n  return a + b\n}")]
    [InlineData("const add = (a, b) => a + b;\nconsole.log(add(1, 2));")]
    [InlineData("#include <stdio.h>")]
    [InlineData("Why is this slow? SELECT id, name FROM users WHERE age > 30")]
    [InlineData("It failed with\nSystem.NullReferenceException: Object reference not set\n   at Shop.Cart.Total() in /src/Cart.cs:line 42")]
    [InlineData("Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>")]
    [InlineData("Exception in thread main\n\tat com.example.Foo.bar(Foo.java:42)")]
    public void Code_is_detected(string text) => Assert.True(PromptFeatures.HasCode(text), text);

    [Theory]
    [InlineData("My invoice is wrong; I was charged twice.")]
    [InlineData("Please select the plan from the list at the top.")]
    [InlineData("I looked at the page (the billing one) and it says nothing.")]
    [InlineData("Thanks {name}, we will call you back at 5.")]
    [InlineData("Hi,\n\nmy order never arrived. I ordered it on Monday;\nit is now Friday.\n\nBest, Ana")]
    [InlineData("")]
    public void Prose_is_not_code(string text) => Assert.False(PromptFeatures.HasCode(text), text);

    [Fact]
    public void The_prompt_is_the_user_messages_text()
    {
        IReadOnlyList<ChatMessage> messages = [new(ChatRole.System, "system"), new(ChatRole.User, "one"), new(ChatRole.Assistant, "reply"), new(ChatRole.User, "two")];

        Assert.Equal("one\ntwo", PromptFeatures.UserText(messages));
    }

    private sealed class CountingTokenCounter : IPromptTokenCounter
    {
        public int Calls { get; private set; }

        public bool TryCountTokens(string model, IReadOnlyList<ChatMessage> messages, out int tokens)
        {
            Calls++;
            tokens = 1;
            return true;
        }
    }
}
