using System.Text.Json;

namespace RoutedPrompts.Evaluation.Tests;

public sealed class EvalSetTests
{
    private static RoutedTask<string> TextTask(params string[] parameters) => TestTasks.Text(parameters: parameters);

    [Fact]
    public void Reads_rows_with_default_ids_and_skips_only_blank_lines()
    {
        var examples = EvalSet.Parse(
            """
            {"id": "a", "inputs": {"ticket": "I was charged twice.", "maxWords": 60}, "expected": "Refund"}

            {"inputs": {"ticket": "Change email", "maxWords": 40}, "expected": "Settings"}
            """, "evals/reply.jsonl", TextTask("ticket", "maxWords"));

        Assert.Equal(["a", "reply.jsonl:3"], examples.Select(e => e.Id));
        Assert.Equal(3, examples[1].Line);
        Assert.Equal("I was charged twice.", examples[0].Render("ticket"));
        Assert.Equal("60", examples[0].Render("maxWords"));
    }

    [Theory]
    [InlineData("not json", "2: not JSON")]
    [InlineData("[1, 2]", "2: a row must be a JSON object with 'inputs' and 'expected'")]
    [InlineData("""{"expected": "x"}""", "2: 'inputs' must be an object with one property per parameter (ticket)")]
    [InlineData("""{"inputs": {"ticket": "t"}}""", "2: the row has no 'expected' result")]
    [InlineData("""{"inputs": {}, "expected": "x"}""", "2: 'inputs' do not match the parameters; missing 'ticket'")]
    [InlineData("""{"inputs": {"ticket": "t", "tone": "warm"}, "expected": "x"}""", "2: 'inputs' do not match the parameters; no parameter named 'tone'")]
    [InlineData("""{"inputs": {"ticket": "t"}, "expected": {"a": 1}}""", "2: 'expected' must be a string for a text task")]
    [InlineData("""{"id": "ok", "inputs": {"ticket": "t"}, "expected": "x"}""", "2: id 'ok' is already used on line 1")]
    [InlineData("""{"id": 7, "inputs": {"ticket": "t"}, "expected": "x"}""", "2: 'id' must be a non-empty string")]
    public void Malformed_rows_fail_with_file_and_line(string row, string message)
    {
        var text = """{"id": "ok", "inputs": {"ticket": "t"}, "expected": "x"}""" + "\n" + row + "\n";

        var error = Assert.Throws<EvalSetException>(() => EvalSet.Parse(text, "evals/reply.jsonl", TextTask("ticket")));

        Assert.StartsWith("evals/reply.jsonl:" + message, error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void A_row_whose_expected_fails_the_tasks_schema_fails_with_file_and_line()
    {
        var task = new RoutedTask<System.Text.Json.JsonElement>
        {
            Name = "Support.Triage",
            DeclaringType = "Support",
            MethodName = "TriageAsync",
            Tier = Tier.Small,
            Template = "Triage {ticket}",
            Parameters = ["ticket"],
            SchemaJson = """{"type":"object","properties":{"category":{"enum":["Billing","Technical"]}},"required":["category"]}""",
        };
        var text = """{"inputs": {"ticket": "t"}, "expected": {"category": "Billing"}}""" + "\n" + """{"inputs": {"ticket": "t"}, "expected": {"category": "Refund"}}""" + "\n";

        var error = Assert.Throws<EvalSetException>(() => EvalSet.Parse(text, "evals/triage.jsonl", task));

        Assert.StartsWith("evals/triage.jsonl:2: 'expected' fails the task's schema: expected.category must be one of \"Billing\", \"Technical\"", error.Message);
        Assert.Equal(2, error.Line);
    }
}

public sealed class ScoringTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static EvalScore Compare(string expected, string actual, JsonComparisonOptions? options = null) =>
        new JsonFieldComparer(options).Compare(Json(expected), Json(actual));

    [Fact]
    public void Exact_by_default_and_names_the_first_mismatch()
    {
        Assert.True(Compare("""{"category":"Billing","priority":2,"tags":["a","b"]}""", """{"priority":2,"tags":["a","b"],"category":"Billing"}""").Correct);

        Assert.Equal("$.category: expected \"Billing\", got \"billing\"", Compare("""{"category":"Billing"}""", """{"category":"billing"}""").Mismatch);
        Assert.Equal("$.priority: missing", Compare("""{"priority":2}""", """{}""").Mismatch);
        Assert.Equal("$.extra: not expected", Compare("""{}""", """{"extra":1}""").Mismatch);
        Assert.Equal("$.tags[1]: expected \"b\", got \"c\"", Compare("""{"tags":["a","b"]}""", """{"tags":["a","c"]}""").Mismatch);
        Assert.Equal("$.n: expected 1, got 1.05", Compare("""{"n":1}""", """{"n":1.05}""").Mismatch);
        Assert.False(Compare("""{"ok":true}""", """{"ok":false}""").Correct);
        Assert.False(Compare("""{"ok":null}""", """{"ok":"x"}""").Correct);
    }

    [Fact]
    public void Options_relax_case_numbers_fields_and_list_order()
    {
        Assert.True(Compare("""{"c":"Billing"}""", """{"c":"BILLING"}""", new() { CaseInsensitiveStrings = true }).Correct);
        Assert.True(Compare("""{"n":1}""", """{"n":1.05}""", new() { NumericTolerance = 0.1 }).Correct);
        Assert.False(Compare("""{"n":1}""", """{"n":1.2}""", new() { NumericTolerance = 0.1 }).Correct);
        Assert.True(Compare("""{"c":"x","summary":"a"}""", """{"c":"x","summary":"b"}""", new() { IgnoredFields = new HashSet<string> { "summary" } }).Correct);
        Assert.True(Compare("""{"o":{"summary":"a"}}""", """{"o":{"summary":"b"}}""", new() { IgnoredFields = new HashSet<string> { "$.o.summary" } }).Correct);
        Assert.True(Compare("""{"tags":["a","b"]}""", """{"tags":["b","a","a"]}""", new() { ListsAsSets = true }).Correct);
        Assert.Equal("$.tags: \"b\" is missing", Compare("""{"tags":["a","b"]}""", """{"tags":["a"]}""", new() { ListsAsSets = true }).Mismatch);
        Assert.True(Compare("""{"a":1}""", """{"a":1,"b":2}""", new() { ExtraPropertiesAreMismatches = false }).Correct);
    }

    [Fact]
    public void Text_answers_compare_trimmed_with_optional_case_folding()
    {
        Assert.True(new JsonFieldComparer().CompareText("Refund issued", "  Refund issued\n").Correct);
        Assert.False(new JsonFieldComparer().CompareText("Refund issued", "refund issued").Correct);
        Assert.True(new JsonFieldComparer(new() { CaseInsensitiveStrings = true }).CompareText("Refund issued", "refund issued").Correct);
    }

    public static bool SameCategory(Ticket actual, JsonElement expected) => actual.Category == expected.GetProperty("category").GetString();

    public sealed record Ticket(string Category, int Priority);

    [Fact]
    public async Task User_scorers_replace_the_default_comparison()
    {
        var example = new EvalExample("e", new Dictionary<string, JsonElement>(), Json("""{"category":"Billing","priority":1}"""), "f.jsonl", 1);
        var byMethod = EvalScorers.FromStaticMethod<Ticket>(typeof(ScoringTests), nameof(SameCategory));
        var byFields = EvalScorers.JsonFields<Ticket>(t => JsonSerializer.SerializeToElement(new { category = t.Category, priority = t.Priority }));

        Assert.True((await byMethod.ScoreAsync(new Ticket("Billing", 3), example, default)).Correct);
        Assert.False((await byMethod.ScoreAsync(new Ticket("Bug", 1), example, default)).Correct);
        Assert.Equal("$.priority: expected 1, got 3", (await byFields.ScoreAsync(new Ticket("Billing", 3), example, default)).Mismatch);
        var missing = Assert.Throws<InvalidOperationException>(() => EvalScorers.FromStaticMethod<Ticket>(typeof(ScoringTests), "Nope"));
        Assert.Contains("static bool Nope(Ticket actual, JsonElement expected)", missing.Message);
    }
}

public sealed class EvaluatorScorerTests
{
    /// <summary>A stand-in equivalence judge: equivalent when the answer contains the expected text.</summary>
    private sealed class ContainsJudge : Microsoft.Extensions.AI.Evaluation.IEvaluator
    {
        public IReadOnlyCollection<string> EvaluationMetricNames => ["Equivalence"];

        public ValueTask<Microsoft.Extensions.AI.Evaluation.EvaluationResult> EvaluateAsync(
            IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatResponse modelResponse,
            Microsoft.Extensions.AI.Evaluation.ChatConfiguration? chatConfiguration = null,
            IEnumerable<Microsoft.Extensions.AI.Evaluation.EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
        {
            var expected = additionalContext!.OfType<ExpectedAnswerContext>().Single().Contents.OfType<Microsoft.Extensions.AI.TextContent>().Single().Text;
            var score = modelResponse.Text.Contains(expected, StringComparison.OrdinalIgnoreCase) ? 5 : 1;
            return ValueTask.FromResult(new Microsoft.Extensions.AI.Evaluation.EvaluationResult(new Microsoft.Extensions.AI.Evaluation.NumericMetric("Equivalence", score, "judged")));
        }
    }

    [Fact]
    public async Task An_IEvaluator_scores_text_answers_against_the_expected_answer()
    {
        var scorer = new EvaluatorScorer(new ContainsJudge(), "Equivalence");
        var example = new EvalExample("e", new Dictionary<string, JsonElement> { ["question"] = JsonSerializer.SerializeToElement("How do I reset?") },
            JsonSerializer.SerializeToElement("Settings > Reset"), "f.jsonl", 1);

        Assert.True((await scorer.ScoreAsync("Open Settings > Reset and confirm.", example, default)).Correct);
        var wrong = await scorer.ScoreAsync("Call support.", example, default);
        Assert.False(wrong.Correct);
        Assert.Contains("Equivalence is 1 (< 4)", wrong.Mismatch);
        Assert.Contains("no metric 'Other'", (await new EvaluatorScorer(new ContainsJudge(), "Other").ScoreAsync("x", example, default)).Mismatch);
    }
}
