using RoutedPrompts.Analyzers.Tests.Infrastructure;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>RP0004: routedprompts.lock.json records the hashes a task was last evaluated with (docs/file-formats.md).</summary>
public sealed class StaleEvaluationTests
{
    private const string Instructions = "Be brief.";
    private const string Template = "Summarize {text}";
    private const string SchemaPath = "/project/schemas/summary.json";
    private const string Schema = """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""";

    private static readonly string EvalRows = Sources.Rows(50, """{"inputs": {"text": "t"}, "expected": {"text": "s"}}""");

    private static readonly string Code = Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Schema = "schemas/summary.json", Instructions = "Be brief.", Prompt = "Summarize {text}")]
            public partial Task<Summary> {|#0:SummarizeAsync|}(string text);
        """) + "public sealed record Summary(string Text);\n";

    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>A lock file with one entry; <paramref name="evidenceComplete"/> <see langword="null"/> leaves that field out.</summary>
    private static (string Path, string Text) Lock(string? prompt, string? schema, string? evalSet, string task = "Prompts.Summarize", string? chatOptions = null, string? evidenceComplete = "true")
    {
        static string Value(string? hash) => hash is null ? "null" : "\"" + hash + "\"";
        return ("/project/routedprompts.lock.json",
            "{ \"version\": 1, \"tasks\": { \"" + task + "\": { \"promptHash\": " + Value(prompt) + ", \"schemaHash\": " + Value(schema) +
            ", \"evalSetHash\": " + Value(evalSet) + (chatOptions is null ? string.Empty : ", \"chatOptionsHash\": " + Value(chatOptions)) +
            (evidenceComplete is null ? string.Empty : ", \"evidenceComplete\": " + evidenceComplete) +
            ", \"startTier\": \"Small\", \"futureField\": [1, 2] } } }");
    }

    private const string IncompleteEvidence = "it was built on incomplete eval evidence (it lacks \"evidenceComplete\": true)";

    [Theory]
    [InlineData("false")] // calibrated on eval results with missing answers
    [InlineData(null)] // not recorded: an older tool, or written by hand (check refuses it too)
    [InlineData("\"true\"")] // not a boolean
    public Task AnEntryBuiltOnIncompleteEvidenceIsStale(string? evidenceComplete) => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows), evidenceComplete: evidenceComplete)), null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", IncompleteEvidence));

    [Fact]
    public Task Incomplete_evidence_is_named_after_the_changed_hashes() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock("sha256:other", SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows), evidenceComplete: "false")), null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the prompt hash differs; " + IncompleteEvidence));

    private static (string Path, string Text)[] Files(string evalRows, (string Path, string Text) lockFile, string tasks = "{}") =>
        [Sources.Config(tasks: tasks), (SchemaPath, Schema), ("/project/evals/summary.jsonl", evalRows), lockFile];

    private static string PromptHash => RoutedTaskHashing.PromptHash(Instructions, Template);

    private static string SchemaHash => RoutedTaskHashing.SchemaHash(Schema);

    [Fact]
    public Task Matching_hashes_are_not_stale() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows))), null);

    [Fact]
    public Task Eval_set_hash_ignores_blank_lines_and_line_endings() => Verify.VerifyAsync(
        Code, Files("\r\n" + EvalRows.Replace("\n", "\r\n\r\n", StringComparison.Ordinal), Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows))), null);

    [Fact]
    public Task A_changed_prompt_is_stale() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock(RoutedTaskHashing.PromptHash(Instructions, "Summarize briefly {text}"), SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows))), null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the prompt hash differs"));

    [Fact]
    public Task Changed_schema_and_eval_set_are_stale() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock(PromptHash, RoutedTaskHashing.SchemaHash("{}"), RoutedTaskHashing.EvalSetHash("{}"))), null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the schema and eval set hashes differ"));

    [Fact]
    public Task A_hash_the_entry_does_not_record_is_a_change() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock(PromptHash, null, null)), null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the schema and eval set hashes differ"));

    [Fact]
    public Task A_task_missing_from_the_lock_file_is_not_stale() => Verify.VerifyAsync(
        Code, Files(EvalRows, Lock("sha256:other", "sha256:other", "sha256:other", task: "Other.Task")), null);

    [Fact]
    public Task An_unreadable_lock_file_is_left_to_the_cli() => Verify.VerifyAsync(
        Code, Files(EvalRows, ("/project/routedprompts.lock.json", "{ \"tasks\": ")), null);

    [Fact]
    public Task Chat_options_added_since_the_evaluation_are_stale() => Verify.VerifyAsync(
        Code,
        Files(EvalRows, Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows)), """{ "Prompts.Summarize": { "Temperature": 0.2 } }"""),
        null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the chat options hash differs"));

    [Fact]
    public Task Changed_chat_options_are_stale() => Verify.VerifyAsync(
        Code,
        Files(EvalRows, Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows), chatOptions: RoutedTaskHashing.ChatOptionsHash(0.2, null, null, null)),
            """{ "Prompts.Summarize": { "Temperature": 0.7 } }"""),
        null,
        Diagnostic(Rules.StaleEvaluation).WithLocation(0).WithArguments("Prompts.Summarize", "the chat options hash differs"));

    [Fact]
    public Task The_same_chat_options_are_not_stale() => Verify.VerifyAsync(
        Code,
        Files(EvalRows, Lock(PromptHash, SchemaHash, RoutedTaskHashing.EvalSetHash(EvalRows), chatOptions: RoutedTaskHashing.ChatOptionsHash(0.2, 512, null, 7)),
            """{ "Prompts.Summarize": { "temperature": "0.2", "MaxOutputTokens": 512, "Seed": 7 } }"""),
        null);

    [Fact]
    public void The_chat_options_hash_is_absent_without_options_and_reads_floats_as_doubles()
    {
        Assert.Null(RoutedTaskHashing.ChatOptionsHash(null, null, null, null));
        Assert.Equal(RoutedTaskHashing.ChatOptionsHash(0.2, null, null, null), RoutedTaskHashing.ChatOptionsHash(0.2f, null, null, null));
        Assert.NotEqual(RoutedTaskHashing.ChatOptionsHash(null, null, 0.2, null), RoutedTaskHashing.ChatOptionsHash(0.2, null, null, null));
    }
}
