using RoutedPrompts.Analyzers.Tests.Infrastructure;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>RP0010–RP0012 (fallback chains, routedprompts.json) and RP0020 (a cascade needs a gate).</summary>
public sealed class ConfigurationTests
{
    private const string Task = """
            [RoutedPrompt(Tier.Small, MaxTier = Tier.Medium, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> {|#0:SummarizeAsync|}(string text);
        """;

    private static readonly (string Path, string Text) Evals = ("/project/evals/summary.jsonl", Sources.TextRows(50));

    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>The 1-based start and end columns of the JSON object that starts with <paramref name="prefix"/> in <paramref name="line"/>.</summary>
    private static (int Start, int End) Span(string line, string prefix)
    {
        var start = line.IndexOf(prefix, StringComparison.Ordinal);
        return (start + 1, line.IndexOf('}', start) + 2);
    }

    [Fact]
    public Task Two_deployments_per_tier_report_nothing() =>
        Verify.VerifyAsync(Sources.Prompts(Task), [Sources.Config(), Evals], null);

    [Fact]
    public Task Every_reachable_tier_with_a_single_deployment_is_reported() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [Sources.Config(singleDeployment: true), Evals],
        null,
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Small", "Prompts.Summarize", 1),
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Medium", "Prompts.Summarize", 1));

    [Theory]
    [InlineData("""{ "Prompts.Summarize": { "tier": "medium", "MaxTier": "Medium" } }""")]
    // The one range rule (TierRange.Reachable): a raised start never passes the cap. The router, the lock baking and
    // eval's deployment list decide the same (Medium only), where RP0010 used to look at Large.
    [InlineData("""{ "Prompts.Summarize": { "Tier": "Large", "MaxTier": "Medium" } }""")]
    public Task ConfigurationCanRaiseTheStartAndLowerTheCap(string tasks)
    {
        var config = Sources.Config(singleDeployment: true, tasks: tasks);
        return Verify.VerifyAsync(
            Sources.Prompts(Task.Replace("MaxTier = Tier.Medium", "MaxTier = Tier.Large", StringComparison.Ordinal)),
            [config, Evals],
            null,
            Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Medium", "Prompts.Summarize", 1));
    }

    [Fact]
    public Task A_tier_missing_from_the_file_has_no_deployments() => Verify.VerifyAsync(
        Sources.Prompts(Task.Replace("Tier.Small, MaxTier = Tier.Medium", "Tier.Large", StringComparison.Ordinal)),
        [(Sources.ConfigPath, """{ "Tiers": { "Small": { "Deployments": [] } } }"""), Evals],
        null,
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Large", "Prompts.Summarize", 0));

    [Fact]
    public Task Missing_configuration_is_reported_per_task() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [Evals],
        null,
        Diagnostic(Rules.ConfigurationUnusable).WithLocation(0).WithArguments("Routed task 'Prompts.Summarize' cannot be checked against its tiers: routedprompts.json is not among the project's AdditionalFiles"));

    [Theory]
    [InlineData("{\n  \"Tiers\": {\n    \"Small\": { \"Deployments\": [ { \"Provider\": \"a\" \"Model\": \"m\" } ] }\n  }\n}", 3, 51, "expected ',' or '}'")]
    [InlineData("{ \"Tiers\": [] }", 1, 12, "'Tiers' must be an object")]
    [InlineData("{ \"Tiers\": { \"Small\": { \"Deployments\": {} } } }", 1, 40, "'Tiers:Small:Deployments' must be an array")]
    [InlineData("[]", 1, 1, "the file must be a JSON object with a 'Tiers' property")]
    public Task MalformedConfigurationIsReportedAtItsLineAndColumn(string text, int line, int column, string error) => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [(Sources.ConfigPath, text), Evals],
        null,
        Diagnostic(Rules.ConfigurationUnusable).WithSpan(Sources.ConfigPath, line, column, line, column)
            .WithArguments(FormattableString.Invariant($"routedprompts.json is malformed at line {line}, column {column}: {error}")));

    private static readonly string Small = Sources.Deployment("openai", "gpt-4o-mini", 0.15, 0.6);
    private static readonly string SmallBackup = Sources.Deployment("azure", "gpt-4o-mini", 0.15, 0.6);
    private static readonly string Medium = Sources.Deployment("openai", "gpt-4.1-mini", 0.4, 1.6);
    private static readonly string MediumBackup = Sources.Deployment("azure", "gpt-4.1-mini", 0.4, 1.6);
    private static readonly string Large = Sources.Deployment("openai", "gpt-4o", 2.5, 10);
    private static readonly string Cheap = Sources.Deployment("local", "llama3.2", 0.1, 0.1);

    /// <summary>A routedprompts.json with one tier per line: line 2 is Small, line 3 Medium, line 4 Large.</summary>
    private static (string Path, string Text) Chains(string[] small, string[] medium, string[]? large = null)
    {
        static string Tier(string name, string[] deployments) => "\"" + name + "\": { \"Deployments\": [ " + string.Join(", ", deployments) + " ] }";
        var tiers = new[] { Tier("Small", small), Tier("Medium", medium) }.Concat(large is null ? [] : [Tier("Large", large)]);
        return (Sources.ConfigPath, "{ \"Tiers\": {\n" + string.Join(",\n", tiers) + "\n} }");
    }

    [Fact]
    public Task A_fallback_that_a_cheaper_tier_also_uses_steps_down()
    {
        var config = Chains([Small, SmallBackup], [Medium, Sources.Deployment("OpenAI", "GPT-4o-mini", 0.15, 0.6)]);
        var (start, end) = Span(config.Text.Split('\n')[2], "{ \"Provider\": \"OpenAI\"");
        return Verify.VerifyAsync(
            Sources.Prompts(Task),
            [config, Evals],
            null,
            Diagnostic(Rules.FallbackStepsDown).WithSpan(Sources.ConfigPath, 3, start, 3, end)
                .WithArguments("OpenAI/GPT-4o-mini", "Medium", "'Prompts.Summarize'", "is also used by the cheaper tier 'Small'"));
    }

    [Fact]
    public Task A_fallback_priced_far_below_the_first_entry_steps_down()
    {
        var config = Chains([Small, SmallBackup], [Medium, MediumBackup], [Large, Cheap, Sources.Deployment("azure", "gpt-4o", 2.5, 10)]);
        var (start, end) = Span(config.Text.Split('\n')[3], "{ \"Provider\": \"local\"");
        return Verify.VerifyAsync(
            Sources.Prompts(Task + Task.Replace("MaxTier = Tier.Medium", "MaxTier = Tier.Large", StringComparison.Ordinal).Replace("{|#0:SummarizeAsync|}", "WholeCascadeAsync", StringComparison.Ordinal)),
            [config, Evals],
            null,
            Diagnostic(Rules.FallbackStepsDown).WithSpan(Sources.ConfigPath, 4, start, 4, end)
                .WithArguments("local/llama3.2", "Large", "'Prompts.WholeCascade'", "costs 62.5x less than the chain's first entry 'openai/gpt-4o' (more than routedprompts.max_fallback_price_ratio = 4)"));
    }

    [Fact]
    public Task The_price_ratio_is_configurable()
    {
        var config = Chains([Small, Cheap], [Medium, MediumBackup]);
        var (start, end) = Span(config.Text.Split('\n')[1], "{ \"Provider\": \"local\"");
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], "is_global = true\nroutedprompts.max_fallback_price_ratio = 3\n",
            Diagnostic(Rules.FallbackStepsDown).WithSpan(Sources.ConfigPath, 2, start, 2, end)
                .WithArguments("local/llama3.2", "Small", "'Prompts.Summarize'", "costs 3.75x less than the chain's first entry 'openai/gpt-4o-mini' (more than routedprompts.max_fallback_price_ratio = 3)"));
    }

    [Fact]
    public Task A_step_down_in_a_tier_no_task_reaches_is_not_reported() =>
        Verify.VerifyAsync(Sources.Prompts(Task), [Chains([Small, SmallBackup], [Medium, MediumBackup], [Large, Small]), Evals], null);

    [Fact]
    public Task A_free_text_cascade_without_a_gate_is_reported() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}")]
            public partial Task<string> {|#0:SummarizeAsync|}(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", Validator = nameof(IsGood))]
            public partial Task<string> ValidatedAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ValidatorType = typeof(Good))]
            public partial Task<string> ValidatorTypeAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.7)]
            public partial Task<string> ThresholdAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}")]
            public partial Task<string> ConfiguredAsync(string text);

            [RoutedPrompt(Tier.Large, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}")]
            public partial Task<string> NoCascadeAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/json.jsonl", Prompt = "Summarize {text}")]
            public partial Task<Summary> JsonAsync(string text);

            private static bool IsGood(string answer) => answer.Length > 0;
        """) + """
            public sealed class Good : IResultValidator<string>
            {
                public ValueTask<ResultValidation> ValidateAsync(string result, ValidationContext context, CancellationToken cancellationToken) => default;
            }

            public sealed record Summary(string Text);
            """,
        [Sources.Config(tasks: """{ "Prompts.Configured": { "ConfidenceThreshold": 0.6 } }"""), Evals, ("/project/evals/json.jsonl", Sources.Rows(50, """{"inputs": {"text": "t"}, "expected": {"text": "s"}}"""))],
        null,
        Diagnostic(Rules.CascadeWithoutGate).WithLocation(0).WithArguments("Prompts.Summarize"));

    // routedprompts.json is read as the runtime reads it (Microsoft.Extensions.Configuration.Json + RoutedPromptsShape).
    [Fact]
    public Task Comments_trailing_commas_and_the_routed_prompts_wrapper_are_accepted() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [(Sources.ConfigPath, "// the app's routing\n{ \"RoutedPrompts\": /* as in appsettings.json */ " +
            Sources.Config().Text.Replace(" ] }", ", ] }", StringComparison.Ordinal).TrimEnd()[..^1] + ", \"LogContent\": false, // trailing commas\n}, }"), Evals],
        null);

    [Fact]
    public Task A_wrapped_file_is_checked_like_an_unwrapped_one() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [(Sources.ConfigPath, "{ \"RoutedPrompts\": " + Sources.Config(singleDeployment: true).Text + " }"), Evals],
        null,
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Small", "Prompts.Summarize", 1),
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Medium", "Prompts.Summarize", 1));

    [Fact]
    public Task An_unclosed_comment_is_malformed() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [(Sources.ConfigPath, "{ /* \"Tiers\": {} }"), Evals],
        null,
        Diagnostic(Rules.ConfigurationUnusable).WithSpan(Sources.ConfigPath, 1, 3, 1, 3)
            .WithArguments("routedprompts.json is malformed at line 1, column 3: unterminated comment"));

    [Fact]
    public Task A_misspelled_price_is_an_unknown_key_at_its_line_with_the_nearest_key()
    {
        var config = Sources.Config();
        var text = config.Text.Replace("\"OutputUsdPerMillionTokens\": 0.6 }, { \"Provider\": \"azure\"", "\"OutputUsdPerMilionTokens\": 0.6 }, { \"Provider\": \"azure\"", StringComparison.Ordinal);
        Assert.NotEqual(config.Text, text);
        var line = text.Split('\n')[2];
        var column = line.IndexOf("\"OutputUsdPerMilionTokens\"", StringComparison.Ordinal) + 1;
        return Verify.VerifyAsync(
            Sources.Prompts(Task),
            [(Sources.ConfigPath, text), Evals],
            null,
            Diagnostic(Rules.UnknownSetting).WithSpan(Sources.ConfigPath, 3, column, 3, column + "\"OutputUsdPerMilionTokens\"".Length)
                .WithArguments("Tiers:Small:Deployments:0:OutputUsdPerMilionTokens is not a RoutedPrompts setting: did you mean 'OutputUsdPerMillionTokens'? The keys here are Provider, Model, InputUsdPerMillionTokens, OutputUsdPerMillionTokens, CachedInputUsdPerMillionTokens, LogProbabilities, Resilience."));
    }

    [Fact]
    public Task Unknown_keys_at_every_level_and_repeated_keys_are_reported() => Verify.VerifyAsync(
        Sources.Prompts(Task),
        [(Sources.ConfigPath, "{ \"Tier\": {},\n\"Tasks\": { \"Prompts.Summarize\": { \"Temprature\": 0.2 } },\n\"Resilience\": { \"MaxRetries\": 1, \"maxretries\": 2 } }"), Evals],
        null,
        Diagnostic(Rules.UnknownSetting).WithSpan(Sources.ConfigPath, 1, 3, 1, 9)
            .WithArguments("Tier is not a RoutedPrompts setting: did you mean 'Tiers'? The keys here are Tiers, Tasks, Rules, LogContent, ExposeProviderExceptions, Resilience, WhenTierUnavailable."),
        Diagnostic(Rules.UnknownSetting).WithSpan(Sources.ConfigPath, 2, 35, 2, 47)
            .WithArguments("Tasks:Prompts.Summarize:Temprature is not a RoutedPrompts setting: did you mean 'Temperature'? The keys here are ConfidenceThreshold, Tier, MaxTier, Temperature, MaxOutputTokens, TopP, Seed, Rules."),
        Diagnostic(Rules.UnknownSetting).WithSpan(Sources.ConfigPath, 3, 34, 3, 46)
            .WithArguments("Resilience:maxretries is given twice (keys are compared ignoring case); remove one."),
        Diagnostic(Rules.NoFallbackChain).WithLocation(0).WithArguments("Small", "Prompts.Summarize", 0));

    [Theory]
    [InlineData("\"Tier\": \"Huge\"", "Tasks:Prompts.Summarize:Tier is 'Huge'; it must be a tier name: Small, Medium, Large.")]
    [InlineData("\"MaxTier\": 2", "Tasks:Prompts.Summarize:MaxTier is '2'; it must be a tier name: Small, Medium, Large.")]
    [InlineData("\"Temperature\": 2.5", "Tasks:Prompts.Summarize:Temperature is 2.5; it must be between 0 and 2 (for example 0.2).")]
    [InlineData("\"TopP\": -0.1", "Tasks:Prompts.Summarize:TopP is -0.1; it must be between 0 and 1 (for example 0.9).")]
    [InlineData("\"MaxOutputTokens\": 0", "Tasks:Prompts.Summarize:MaxOutputTokens is 0; it must be at least 1 (for example 1024).")]
    [InlineData("\"Seed\": 1.5", "Tasks:Prompts.Summarize:Seed is '1.5'; it must be a whole number (for example 42).")]
    [InlineData("\"ConfidenceThreshold\": {}", "Tasks:Prompts.Summarize:ConfidenceThreshold is an object; it must be a single value.")]
    public Task Unusable_values_are_reported_at_the_value(string setting, string message)
    {
        var config = Sources.Config(tasks: "{ \"Prompts.Summarize\": { " + setting + " } }");
        var line = config.Text.Split('\n').Select((l, i) => (l, i)).Single(x => x.l.Contains("Prompts.Summarize", StringComparison.Ordinal));
        var value = setting[(setting.IndexOf(':', StringComparison.Ordinal) + 2)..];
        var column = line.l.IndexOf(setting, StringComparison.Ordinal) + setting.Length - value.Length + 1;
        return Verify.VerifyAsync(
            Sources.Prompts(Task),
            [config, Evals],
            null,
            Diagnostic(Rules.InvalidSetting).WithSpan(Sources.ConfigPath, line.i + 1, column, line.i + 1, column + value.Length).WithArguments(message));
    }

    [Fact]
    public Task A_task_entry_that_names_no_task_is_reported_with_the_nearest_name()
    {
        var config = Sources.Config(tasks: "{ \"Prompts.Sumarize\": { \"Tier\": \"Medium\" } }");
        var line = config.Text.Split('\n').Select((l, i) => (l, i)).Single(x => x.l.Contains("Prompts.Sumarize", StringComparison.Ordinal));
        var column = line.l.IndexOf("\"Prompts.Sumarize\"", StringComparison.Ordinal) + 1;
        return Verify.VerifyAsync(
            Sources.Prompts(Task + Task.Replace("{|#0:SummarizeAsync|}", "ClassifyAsync", StringComparison.Ordinal)),
            [config, Evals],
            null,
            Diagnostic(Rules.UnknownTask).WithSpan(Sources.ConfigPath, line.i + 1, column, line.i + 1, column + "\"Prompts.Sumarize\"".Length)
                .WithArguments("Prompts.Sumarize", "Prompts.Summarize"));
    }
}
