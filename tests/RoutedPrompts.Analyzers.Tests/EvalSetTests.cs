using RoutedPrompts.Analyzers.Tests.Infrastructure;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>RP0001–RP0003: every task has a usable eval set of a useful size.</summary>
public sealed class EvalSetTests
{
    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    [Fact]
    public Task Missing_eval_set_is_reported_on_the_attribute() => Verify.VerifyAsync(
        Sources.Prompts("""
            [{|#0:RoutedPrompt(Tier.Small, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)|}]
            public partial Task<string> SummarizeAsync(string text);
        """),
        [Sources.Config()],
        null,
        Diagnostic(Rules.NoEvalSet).WithLocation(0).WithArguments("Prompts.Summarize", "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"evals/Prompts.Summarize.jsonl\")"));

    [Fact]
    public Task Eval_set_that_is_not_an_additional_file_is_reported_on_the_argument() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = {|#0:"evals/missing.jsonl"|}, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text);
        """),
        [Sources.Config(), ("/project/evals/other.jsonl", Sources.TextRows(60))],
        null,
        Diagnostic(Rules.NoEvalSet).WithLocation(0).WithArguments("Prompts.Summarize", "'evals/missing.jsonl' is not among the project's AdditionalFiles"));

    [Fact]
    public Task A_usable_eval_set_of_the_minimum_size_reports_nothing() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text, System.Threading.CancellationToken cancellationToken = default);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", "\n" + Sources.TextRows(50) + "\n\n")],
        null);

    /// <summary>RP0002 for a text task's eval set: <paramref name="rows"/>, then 50 good rows.</summary>
    private static Task VerifyTextRowsAsync(string rows, params DiagnosticResult[] expected) => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", rows + Sources.TextRows(50))],
        null,
        expected);

    [Fact]
    public Task Unusable_rows_are_reported_at_their_line_in_the_file()
    {
        const string rows =
            "{\"inputs\": {\"text\": \"a\"}, \"expected\": \"ok\"}\n" +
            "not json\n" +
            "  {\"inputs\": {\"text\": \"a\", \"extra\": 1}, \"expected\": \"x\"}\n" +
            "{\"inputs\": {}, \"expected\": \"x\"}\r\n" +
            "{\"inputs\": {\"text\": \"a\"}, \"expected\": 42}\n" +
            "{\"inputs\": {\"text\": \"a\"}}\n" +
            "[1, 2]\n" +
            "{\"inputs\": {\"text\": \"a\"}, \"expected\": \"unterminated}\n";
        return VerifyTextRowsAsync(
            rows,
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 2, 1, 2, 1).WithArguments(2, "evals/summary.jsonl", "Prompts.Summarize", "not JSON: unexpected character 'n'"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 3, 3, 3, 57).WithArguments(3, "evals/summary.jsonl", "Prompts.Summarize", "'inputs' do not match the parameters; no parameter named 'extra'"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 4, 1, 4, 32).WithArguments(4, "evals/summary.jsonl", "Prompts.Summarize", "'inputs' do not match the parameters; missing 'text'"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 5, 1, 5, 42).WithArguments(5, "evals/summary.jsonl", "Prompts.Summarize", "'expected' must be a string for a text task"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 6, 1, 6, 26).WithArguments(6, "evals/summary.jsonl", "Prompts.Summarize", "the row has no 'expected' result"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 7, 1, 7, 7).WithArguments(7, "evals/summary.jsonl", "Prompts.Summarize", "a row must be a JSON object with 'inputs' and 'expected'"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 8, 53, 8, 53).WithArguments(8, "evals/summary.jsonl", "Prompts.Summarize", "not JSON: unterminated string"));
    }

    [Fact]
    public Task Row_ids_are_checked_as_eval_checks_them()
    {
        // eval refuses a duplicate or non-string id: the build says so first, at the row (one validator for both).
        const string rows =
            "{\"id\": \"a\", \"inputs\": {\"text\": \"a\"}, \"expected\": \"ok\"}\n" +
            "{\"id\": \"a\", \"inputs\": {\"text\": \"b\"}, \"expected\": \"ok\"}\n" +
            "{\"id\": 7, \"inputs\": {\"text\": \"c\"}, \"expected\": \"ok\"}\n";
        return VerifyTextRowsAsync(
            rows,
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 2, 1, 2, 55).WithArguments(2, "evals/summary.jsonl", "Prompts.Summarize", "id 'a' is already used on line 1; ids must be unique"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 3, 1, 3, 53).WithArguments(3, "evals/summary.jsonl", "Prompts.Summarize", "'id' must be a non-empty string (or be left out)"));
    }

    [Fact]
    public Task Expected_results_are_checked_against_the_derived_schema()
    {
        const string rows =
            "{\"inputs\": {\"ticket\": \"a\"}, \"expected\": {\"category\": \"Billing\", \"summary\": \"s\", \"score\": 3}}\n" +
            "{\"inputs\": {\"ticket\": \"a\"}, \"expected\": {\"category\": \"Nope\", \"summary\": \"s\", \"score\": 3}}\n" +
            "{\"inputs\": {\"ticket\": \"a\"}, \"expected\": {\"category\": \"Billing\", \"score\": 3}}\n" +
            "{\"inputs\": {\"ticket\": \"a\"}, \"expected\": {\"category\": \"Billing\", \"summary\": \"s\", \"score\": 11}}\n" +
            "{\"inputs\": {\"ticket\": \"a\"}, \"expected\": \"Billing\"}\n";
        return Verify.VerifyAsync(
            Sources.Prompts("""
                [RoutedPrompt(Tier.Small, EvalSet = "evals/triage.jsonl", Prompt = "Classify {ticket}")]
                public partial Task<Triage> TriageAsync(string ticket);
            """) + """
                public enum Category { Billing, Technical }
                public sealed record Triage(Category Category, string Summary, [property: System.ComponentModel.DataAnnotations.Range(0, 10)] int Score);
                """,
            [Sources.Config(), ("/project/evals/triage.jsonl", rows + Sources.Rows(50, "{\"inputs\": {\"ticket\": \"t\"}, \"expected\": {\"category\": \"Technical\", \"summary\": \"s\", \"score\": 0}}"))],
            null,
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/triage.jsonl", 2, 1, 2, 90).WithArguments(2, "evals/triage.jsonl", "Prompts.Triage", "'expected' fails the task's schema: expected.category must be one of \"Billing\", \"Technical\""),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/triage.jsonl", 3, 1, 3, 77).WithArguments(3, "evals/triage.jsonl", "Prompts.Triage", "'expected' fails the task's schema: expected is missing the required property 'summary'"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/triage.jsonl", 4, 1, 4, 94).WithArguments(4, "evals/triage.jsonl", "Prompts.Triage", "'expected' fails the task's schema: expected.score must be at most 10"),
            Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/triage.jsonl", 5, 1, 5, 51).WithArguments(5, "evals/triage.jsonl", "Prompts.Triage", "'expected' fails the task's schema: expected must be object, not \"Billing\""));
    }

    [Fact]
    public Task Expected_results_are_checked_against_a_schema_file() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/refund.jsonl", Schema = "schemas/refund.json", Prompt = "Extract {email}")]
            public partial Task<Refund> ExtractAsync(string email);
        """) + "public sealed record Refund(string OrderId, decimal Amount);\n",
        [
            Sources.Config(),
            ("/project/schemas/refund.json", """{"type":"object","properties":{"orderId":{"type":"string","pattern":"^ORD-[0-9]{6}$"},"amount":{"type":"number","minimum":0}},"required":["orderId","amount"],"additionalProperties":false}"""),
            ("/project/evals/refund.jsonl", "{\"inputs\": {\"email\": \"e\"}, \"expected\": {\"orderId\": \"ORD-12\", \"amount\": 1}}\n{\"inputs\": {\"email\": \"e\"}, \"expected\": {\"orderId\": \"ORD-123456\", \"amount\": 1, \"note\": \"x\"}}\n" +
                Sources.Rows(50, "{\"inputs\": {\"email\": \"e\"}, \"expected\": {\"orderId\": \"ORD-123456\", \"amount\": 2.5}}")),
        ],
        null,
        Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/refund.jsonl", 1, 1, 1, 75).WithArguments(1, "evals/refund.jsonl", "Prompts.Extract", "'expected' fails the task's schema: expected.orderId does not match the pattern '^ORD-[0-9]{6}$'"),
        Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/refund.jsonl", 2, 1, 2, 92).WithArguments(2, "evals/refund.jsonl", "Prompts.Extract", "'expected' fails the task's schema: expected has the property 'note', which the schema does not allow"));

    [Fact]
    public Task At_most_ten_bad_rows_are_reported_per_file()
    {
        var expected = Enumerable.Range(1, ProjectInputs.MaxRowDiagnostics)
            .Select(line => Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", line, 1, line, 1).WithArguments(line, "evals/summary.jsonl", "Prompts.Summarize", "not JSON: unexpected character 'x'"))
            .ToArray();
        return Verify.VerifyAsync(
            Sources.Prompts("""
                [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
                public partial Task<string> SummarizeAsync(string text);
            """),
            [Sources.Config(), ("/project/evals/summary.jsonl", Sources.Rows(30, "x") + Sources.TextRows(50))],
            null,
            expected);
    }

    [Fact]
    public Task Small_eval_set_is_reported_on_the_argument_with_the_default_minimum() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = {|#0:"evals/summary.jsonl"|}, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", Sources.TextRows(49))],
        null,
        Diagnostic(Rules.EvalSetTooSmall).WithLocation(0).WithArguments("evals/summary.jsonl", "Prompts.Summarize", 49, 50));

    [Fact]
    public Task The_minimum_comes_from_the_editor_config() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = {|#0:"evals/summary.jsonl"|}, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(string text);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", Sources.TextRows(3))],
        "root = true\n[*.cs]\nroutedprompts.min_eval_examples = 4\n",
        Diagnostic(Rules.EvalSetTooSmall).WithLocation(0).WithArguments("evals/summary.jsonl", "Prompts.Summarize", 3, 4));

    [Fact]
    public Task Severity_is_configurable_per_rule() => Verify.VerifyAsync(
        Sources.Prompts("""
            [{|#0:RoutedPrompt(Tier.Small, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)|}]
            public partial Task<string> SummarizeAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> ShortAsync(string text);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", Sources.TextRows(3))],
        "root = true\n[*.cs]\ndotnet_diagnostic.RP0003.severity = none\ndotnet_diagnostic.RP0001.severity = suggestion\n",
        Diagnostic(Rules.NoEvalSet).WithLocation(0).WithSeverity(DiagnosticSeverity.Info).WithArguments("Prompts.Summarize", "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"evals/Prompts.Summarize.jsonl\")"));

    [Fact]
    public Task The_ci_property_makes_the_eval_rules_errors() => Verify.VerifyAsync(
        Sources.Prompts("""
            [{|#0:RoutedPrompt(Tier.Small, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)|}]
            public partial Task<string> SummarizeAsync(string text);

            [RoutedPrompt(Tier.Small, EvalSet = {|#1:"evals/summary.jsonl"|}, Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> ShortAsync(string text);
        """),
        [Sources.Config(singleDeployment: true), ("/project/evals/summary.jsonl", Sources.TextRows(3))],
        "is_global = true\nbuild_property.RoutedPromptsEvalRulesAsErrors = true\n",
        Diagnostic(Rules.NoEvalSet).WithLocation(0).WithSeverity(DiagnosticSeverity.Error).WithArguments("Prompts.Summarize", "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"evals/Prompts.Summarize.jsonl\")"),
        Diagnostic(Rules.EvalSetTooSmall).WithLocation(1).WithSeverity(DiagnosticSeverity.Error).WithArguments("evals/summary.jsonl", "Prompts.Short", 3, 50),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 8, 33, 8, 47).WithArguments("Small", "Prompts.Summarize", 1),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 8, 33, 8, 47).WithArguments("Medium", "Prompts.Summarize", 1),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 8, 33, 8, 47).WithArguments("Large", "Prompts.Summarize", 1),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 11, 33, 11, 43).WithArguments("Small", "Prompts.Short", 1),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 11, 33, 11, 43).WithArguments("Medium", "Prompts.Short", 1),
        Diagnostic(Rules.NoFallbackChain).WithSpan("/0/Test0.cs", 11, 33, 11, 43).WithArguments("Large", "Prompts.Short", 1));
}
