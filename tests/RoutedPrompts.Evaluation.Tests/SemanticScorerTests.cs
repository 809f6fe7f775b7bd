using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The semantic scorer of text tasks: the top tier judges, through an <see cref="EquivalenceEvaluator"/>, whether an
/// answer means the same as the expected one; its calls go through the eval's response cache, and the results and the
/// report name the scorer.
/// </summary>
public sealed class SemanticScorerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-semantic-").FullName;

    public SemanticScorerTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "evals", "reply.jsonl"), """
            {"id": "refund", "inputs": {"ticket": "Where is my refund?"}, "expected": "Your refund was sent on Monday."}
            {"id": "password", "inputs": {"ticket": "I forgot my password."}, "expected": "Use the reset link on the sign-in page."}
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The small tier paraphrases the first answer and gets the second one wrong; the large tier answers as expected.
    /// The judge (also the large tier's client) calls an answer equivalent when it keeps the reference's key word.
    /// </summary>
    private static string Answer(IReadOnlyList<ChatMessage> messages, string? model)
    {
        if (messages[0].Text == EquivalenceEvaluator.Instructions)
        {
            var request = messages[^1].Text;
            var reference = Between(request, "Reference answer:\n", "\n\nAnswer to judge:");
            var answer = request[(request.IndexOf("Answer to judge:\n", StringComparison.Ordinal) + "Answer to judge:\n".Length)..];
            var key = reference.Contains("Monday", StringComparison.Ordinal) ? "Monday" : "reset link";
            return answer.Contains(key, StringComparison.OrdinalIgnoreCase) ? "EQUIVALENT\nSame meaning, other words." : "DIFFERENT\nIt says something else.";
        }

        var ticket = messages[^1].Text;
        return (model, ticket.Contains("refund", StringComparison.Ordinal)) switch
        {
            ("small", true) => "We sent your refund on Monday.",
            ("small", false) => "Please call our support line.",
            (_, true) => "Your refund was sent on Monday.",
            _ => "Use the reset link on the sign-in page.",
        };

        static string Between(string text, string start, string end)
        {
            var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
            return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
        }
    }

    private EvalRunOptions Options(ScriptedChatClient client) => new()
    {
        Routing = new RoutedPromptsOptions
        {
            Tiers =
            {
                ["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "cheap", Model = "small" }] },
                ["Large"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "scripted", Model = "large" }] },
            },
        },
        Providers = services =>
        {
            services.AddKeyedChatClient("cheap", client);
            services.AddKeyedChatClient("scripted", client);
        },
        CacheDirectory = Path.Combine(_dir, "cache"),
    };

    private static int JudgeCalls(ScriptedChatClient client) => client.Received.Count(r => r.Messages[0].Text == EquivalenceEvaluator.Instructions);

    [Fact]
    public async Task Equivalent_text_scores_correct_different_meaning_wrong_and_the_judges_answers_are_cached()
    {
        var client = new ScriptedChatClient(Answer);
        var task = TestTasks.Text(instructions: null, template: "Reply to {ticket}");
        var options = Options(client);

        EvalRun first;
        await using (var scorer = SemanticScorer.Create(task, options))
        {
            first = await EvalRunner.RunAsync(task, Path.Combine(_dir, "evals", "reply.jsonl"), options with { Scorers = new Dictionary<string, object> { [task.Name] = scorer } });
        }

        Assert.Equal(
            [("small", "refund", true), ("small", "password", false), ("large", "refund", true), ("large", "password", true)],
            first.Records.Select(r => (r.Model, r.ExampleId, r.Correct)));
        Assert.Contains("It says something else.", first.Records[1].Mismatch, StringComparison.Ordinal);
        Assert.Equal("semantic (equivalence judged by Large scripted/large)", first.Scorer);
        Assert.Equal(4, JudgeCalls(client));
        Assert.All(client.Received.Where(r => r.Messages[0].Text == EquivalenceEvaluator.Instructions), r => Assert.Equal("large", r.Model)); // the top tier judges

        // Exact comparison calls the paraphrase wrong: the semantic scorer is what makes it right.
        var exact = await EvalRunner.RunAsync(task, Path.Combine(_dir, "evals", "reply.jsonl"), options);
        Assert.False(exact.Records[0].Correct);
        Assert.Equal("exact text", exact.Scorer);

        // A second run is answered and judged from the cache: no call reaches the client.
        var before = client.Received.Count;
        await using (var scorer = SemanticScorer.Create(task, options))
        {
            var second = await EvalRunner.RunAsync(task, Path.Combine(_dir, "evals", "reply.jsonl"), options with { Scorers = new Dictionary<string, object> { [task.Name] = scorer } });
            Assert.Equal(first.Records.Select(r => (r.Model, r.ExampleId, r.Correct, r.Mismatch)), second.Records.Select(r => (r.Model, r.ExampleId, r.Correct, r.Mismatch)));
        }

        Assert.Equal(before, client.Received.Count);
    }

    [Fact]
    public async Task The_cli_selects_it_per_task_and_a_judge_that_cannot_answer_stops_eval_naming_the_judge()
    {
        var recording = Path.Combine(_dir, "recording.jsonl");
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), """
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small" } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "large" } ] } } } }
            """);
        // The answers are recorded, the judge's requests are not: a judge that cannot answer is an error, not a wrong answer.
        File.WriteAllText(recording, """
            {"id": "1", "messages": [{"role": "user", "content": "Reply to Where is my refund?"}], "responses": {"small": {"text": "Sent Monday.", "cost_usd": 0.0001}, "large": {"text": "Your refund was sent on Monday.", "cost_usd": 0.001}}}
            {"id": "2", "messages": [{"role": "user", "content": "Reply to I forgot my password."}], "responses": {"small": {"text": "Call us.", "cost_usd": 0.0001}, "large": {"text": "Use the reset link on the sign-in page.", "cost_usd": 0.001}}}
            """);
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await Cli.CliApp.RunAsync(["eval", "--replay", recording, "--project-dir", _dir, "--scorer", "Support.Reply=semantic"], console, () => [TestTasks.Text(instructions: null)]);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", console.Output, StringComparison.Ordinal);
        var output = console.Output.Replace("\n", string.Empty, StringComparison.Ordinal);
        Assert.Contains("The semantic scorer's judge (Large replay/large) failed on example", output);
        Assert.False(File.Exists(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), "Support.Reply")));
    }

    [Fact]
    public void The_semantic_scorer_refuses_a_json_task()
    {
        var json = new RoutedTask<Dictionary<string, int>>
        {
            Name = "Support.Count", DeclaringType = "Support", MethodName = "CountAsync", Tier = Tier.Small, Template = "Count {ticket}",
            Parameters = ["ticket"], SchemaJson = """{"type": "object"}""",
        };
        var error = Assert.Throws<InvalidOperationException>(() => Cli.EvalCommand.Scorers(["Support.Count=semantic"], [json], Options(new ScriptedChatClient((_, _) => "x"))));
        Assert.StartsWith("The semantic scorer judges text answers; Support.Count returns Dictionary`2.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_names_the_scorer_behind_the_numbers()
    {
        var report = new TaskReport("Support.Reply", [new TierPoint("Small", 0.5, 0.4, 0.6, 0.001), new TierPoint("Large", 1, 0.9, 1, 0.01)],
            new OperatingPoint(0.9, 0.9, 0.004, 0.25), [], "Small earns the traffic.", 100, "semantic (equivalence judged by Large openai/gpt-4o)");

        Assert.Contains("Scored by semantic (equivalence judged by Large openai/gpt-4o).", report.ToMarkdown(), StringComparison.Ordinal);
        Assert.Contains("<p>Scored by semantic (equivalence judged by Large openai/gpt-4o).</p>", TaskReport.ToHtml([report]), StringComparison.Ordinal);
        Assert.Contains("a scorer these results do not record", (report with { Scorer = null }).ToMarkdown(), StringComparison.Ordinal);
    }
}
