using RoutedPrompts.Analyzers.Tests.Infrastructure;
using RoutedPrompts.Shared;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>RP0016: routing rules in routedprompts.json are checked by the rule checker options validation also runs, at the rule's line.</summary>
public sealed class RoutingRuleTests
{
    private const string Task = """
            [RoutedPrompt(Tier.Small, MaxTier = Tier.Large, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text);
        """;

    private static readonly (string Path, string Text) Evals = ("/project/evals/summary.jsonl", Sources.TextRows(50));

    /// <summary>A routedprompts.json with two deployments per tier, one global rule and one rule of the task, each on its own line.</summary>
    private static (string Path, string Text) Config(string globalRule, string taskRule)
    {
        var tiers = Sources.Config().Text;
        var text = tiers[..tiers.IndexOf("  \"Tasks\"", StringComparison.Ordinal)] +
            "  \"Rules\": [\n" +
            "    " + globalRule + "\n" +
            "  ],\n" +
            "  \"Tasks\": { \"Prompts.Summarize\": { \"Rules\": [\n" +
            "    " + taskRule + "\n" +
            "  ] } }\n}\n";
        return (Sources.ConfigPath, text);
    }

    private const string ValidGlobal = """{ "Name": "checkout-medium", "Task": "Prompts.Summarize", "When": { "Feature": "checkout", "Tags": ["beta"] }, "StartTier": "Medium" }""";
    private const string ValidTask = """{ "Name": "traces", "When": { "Parameter": "text", "Pattern": "(?i)stack ?trace", "HasCode": true, "MinInputTokens": 10, "MaxInputTokens": 8000 }, "StartTier": "Large", "MaxTier": "Large" }""";

    /// <summary>The diagnostic at <paramref name="value"/>'s first occurrence on the line that holds <paramref name="rule"/>.</summary>
    private static DiagnosticResult At((string Path, string Text) config, DiagnosticDescriptor descriptor, string rule, string value, string message)
    {
        var line = config.Text.Split('\n').Select((l, i) => (l, i)).First(x => x.l.Contains(rule, StringComparison.Ordinal));
        var column = line.l.IndexOf(value, StringComparison.Ordinal) + 1;
        Assert.True(column > 0, value + " is not on the rule's line");
        return new DiagnosticResult(descriptor).WithSpan(Sources.ConfigPath, line.i + 1, column, line.i + 1, column + value.Length).WithArguments(message);
    }

    [Fact]
    public Task Valid_rules_report_nothing() =>
        Verify.VerifyAsync(Sources.Prompts(Task), [Config(ValidGlobal, ValidTask), Evals], null);

    [Theory]
    [InlineData("""{ "Task": "Prompts.Sumarize", "StartTier": "Medium" }""", "\"Prompts.Sumarize\"",
        "Rules:0:Task 'Prompts.Sumarize' names no routed task: did you mean 'Prompts.Summarize'? Fix the name, or remove Task to apply the rule to every task.")]
    [InlineData("""{ "When": { "Parameter": "txt", "Pattern": "x" }, "StartTier": "Medium" }""", "\"txt\"",
        "Rules:0:When:Parameter 'txt' is a parameter of no routed task: did you mean 'text'? Fix the name, or set Task to the task whose parameter it is.")]
    [InlineData("""{ "Name": "huge", "StartTier": "Huge" }""", "\"Huge\"",
        "Rules:0:StartTier is 'Huge', which is not a tier. Use a tier name: Small, Medium, Large.")]
    [InlineData("""{ "When": { "Pattern": "x" }, "MaxTier": "Small" }""", "\"x\"",
        "Rules:0:When:Pattern needs When:Parameter, the name of the method parameter whose value the pattern must match; set it, or remove Pattern.")]
    [InlineData("""{ "When": { "Parameter": "text" }, "MaxTier": "Small" }""", "\"text\"",
        "Rules:0:When:Parameter needs When:Pattern, the regular expression the parameter's value must match (for example \"(?i)stack ?trace\"); set it, or remove Parameter.")]
    [InlineData("""{ "When": { "MinPromptLength": 500, "MaxPromptLength": 100 }, "StartTier": "Large" }""", "500",
        "Rules:0:When:MinPromptLength (500) is above When:MaxPromptLength (100), so the rule matches no request. Swap them, or fix the one you meant.")]
    [InlineData("""{ "When": { "MinInputTokens": -1 }, "StartTier": "Large" }""", "-1",
        "Rules:0:When:MinInputTokens is -1; it must be between 0 and 2147483647 (for example 2000).")]
    [InlineData("""{ "Name": "noop", "When": { "Feature": "x" } }""", """{ "Name": "noop", "When": { "Feature": "x" } }""",
        "Rules:0 has no action: set StartTier (start the request at a higher tier) or MaxTier (cap the tiers it may reach), or remove the rule.")]
    public Task An_invalid_global_rule_is_reported_at_its_line(string rule, string at, string message)
    {
        var config = Config(rule, ValidTask);
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], null, At(config, Rules.InvalidRoutingRule, rule, at, message));
    }

    [Fact]
    public Task A_task_rule_naming_a_parameter_the_task_lacks_is_reported_with_its_parameters()
    {
        const string rule = """{ "When": { "Parameter": "txt", "Pattern": "x" }, "StartTier": "Medium" }""";
        var config = Config(ValidGlobal, rule);
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], null, At(config, Rules.InvalidRoutingRule, rule, "\"txt\"",
            "Tasks:Prompts.Summarize:Rules:0:When:Parameter 'txt' is not a parameter of routed task 'Prompts.Summarize': did you mean 'text'? Its parameters are text. Fix the name."));
    }

    [Fact]
    public Task A_pattern_that_does_not_compile_is_reported_with_the_parser_message()
    {
        const string rule = """{ "When": { "Parameter": "text", "Pattern": "(unclosed" }, "StartTier": "Medium" }""";
        var config = Config(ValidGlobal, rule);
        Assert.Null(RoutingRules.CompilePattern("(unclosed", out var error));
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], null, At(config, Rules.InvalidRoutingRule, rule, "\"(unclosed\"",
            "Tasks:Prompts.Summarize:Rules:0:When:Pattern '(unclosed' is not a valid regular expression: " + error + " Fix the pattern (.NET syntax; in JSON a backslash is written \\\\)."));
    }

    [Fact]
    public Task A_misspelled_condition_is_an_unknown_key()
    {
        const string rule = """{ "When": { "Featur": "checkout" }, "StartTier": "Medium" }""";
        var config = Config(rule, ValidTask);
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], null, At(config, Rules.UnknownSetting, rule, "\"Featur\"",
            "Rules:0:When:Featur is not a RoutedPrompts setting: did you mean 'Feature'? The keys here are Feature, UserTier, Tags, MinInputTokens, MaxInputTokens, MinPromptLength, MaxPromptLength, HasCode, Parameter, Pattern."));
    }

    [Fact]
    public Task A_task_rule_cannot_name_a_task()
    {
        const string rule = """{ "Task": "Prompts.Summarize", "StartTier": "Medium" }""";
        var config = Config(ValidGlobal, rule);
        return Verify.VerifyAsync(Sources.Prompts(Task), [config, Evals], null, At(config, Rules.UnknownSetting, rule, "\"Task\"",
            "Tasks:Prompts.Summarize:Rules:0:Task is not a RoutedPrompts setting: did you mean '" +
            RoutedPromptsShape.Nearest("Task", ["Name", "When", "StartTier", "MaxTier"]) + "'? The keys here are Name, When, StartTier, MaxTier."));
    }
}
