using System.Text.Json.Nodes;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The replay's strategies side by side: the rules and the classifier reach the router as the product applies them, on
/// small synthetic recordings whose outcome is known exactly, and on the six shared files the classifier never makes the
/// 1.5-point accuracy hold worse than the cascade alone.
/// </summary>
public sealed class ReplayStrategyTests : IDisposable
{
    private const int PerSplit = 300;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-replay-strategies-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_rules_start_prompts_with_code_past_the_cascades_first_tier_with_and_without_its_thresholds()
    {
        // A quarter of the prompts carry code; the cheap model errs on every fifth query, unsure when it does.
        static bool HasCode(int i) => i % 4 == 0;
        static bool CheapWrong(int i) => i % 5 == 0;
        var path = Write("rules", i => HasCode(i) ? $"Why does this fail (case {i})?\n```\nint x = y / {i % 7};\n```" : $"What is the capital of country number {i}?", CheapWrong);

        var result = await ReplayBenchmark.RunAsync(path, ReplayBenchmarkTests.Defaults);

        Assert.Equal(["cheap", "top"], result.Chain);
        var test = Enumerable.Range(PerSplit, PerSplit).ToArray();
        var cascade = result.Strategy(ReplayStrategy.Cascade);
        Assert.Equal(0, cascade.RaisedStartRate);
        Assert.Equal(test.Count(CheapWrong) / (double)PerSplit, cascade.EscalationRate, 12);
        Assert.Equal(1.0, cascade.Accuracy, 12);

        // Rules → cascade: every prompt with code starts at the top model; the others meet the cascade as before.
        var rules = result.Strategy(ReplayStrategy.RulesCascade);
        Assert.Equal(test.Count(HasCode) / (double)PerSplit, rules.RaisedStartRate, 12);
        Assert.Equal(test.Count(i => !HasCode(i) && CheapWrong(i)) / (double)PerSplit, rules.EscalationRate, 12);
        Assert.Equal(1.0, rules.Accuracy, 12);
        Assert.Equal((test.Count(i => !HasCode(i)) * 1e-4) + (test.Count(i => HasCode(i) || CheapWrong(i)) * 1e-3), rules.CostPerRequestUsd * PerSplit, 9);

        // Rules alone: no confidence threshold, so the cheap model's unsure wrong answers stand where no rule matched.
        var alone = result.Strategy(ReplayStrategy.RulesAlone);
        Assert.Equal(rules.RaisedStartRate, alone.RaisedStartRate, 12);
        Assert.Equal(0, alone.EscalationRate);
        Assert.Equal(1 - (test.Count(i => !HasCode(i) && CheapWrong(i)) / (double)PerSplit), alone.Accuracy, 12);
    }

    [Fact]
    public async Task A_classifier_that_switched_itself_off_leaves_the_cascade_exactly_as_it_is()
    {
        // The cheap model's errors follow a hash of the index, which no word of the prompt reveals.
        static bool CheapWrong(int i) => ((i * 2654435761u) >> 7) % 4 == 0;
        var path = Write("invisible", i => $"Name the colour of object number {i} in the catalogue.", CheapWrong);

        var result = await ReplayBenchmark.RunAsync(path, ReplayBenchmarkTests.Defaults);

        var cascade = result.Strategy(ReplayStrategy.Cascade);
        var classifier = result.Strategy(ReplayStrategy.ClassifierCascade);
        Assert.StartsWith("off: ", classifier.Note, StringComparison.Ordinal);
        Assert.Equal(0, classifier.RaisedStartRate);
        Assert.Equal(cascade.Accuracy, classifier.Accuracy);
        Assert.Equal(cascade.CostPerRequestUsd, classifier.CostPerRequestUsd);
        Assert.Equal(cascade.EscalationRate, classifier.EscalationRate);
    }

    [Fact]
    public async Task A_classifier_that_learned_the_hard_prompts_starts_them_past_the_first_tier_through_the_router()
    {
        // The cheap model errs exactly on the prompts about integrals, and costs half the top model: skipping it there pays.
        // (Every prompt is distinct: a request repeated in a recording is answered by its first recording.)
        static bool CheapWrong(int i) => i % 3 == 0;
        var path = Write(
            "visible",
            i => CheapWrong(i) ? $"Evaluate the definite integral of x^{i % 9} times sin x from 0 to {i}." : $"What is the capital of country number {i}?",
            CheapWrong,
            cheapCost: 5e-4m);

        var result = await ReplayBenchmark.RunAsync(path, ReplayBenchmarkTests.Defaults);

        var cascade = result.Strategy(ReplayStrategy.Cascade);
        var classifier = result.Strategy(ReplayStrategy.ClassifierCascade);
        Assert.StartsWith("on: ", classifier.Note, StringComparison.Ordinal);
        Assert.True(classifier.RaisedStartRate > 0.2, $"raised {classifier.RaisedStartRate:P1}");
        Assert.True(classifier.CostPerRequestUsd < cascade.CostPerRequestUsd, $"classifier {classifier.CostPerRequestUsd} vs cascade {cascade.CostPerRequestUsd}");
        Assert.True(classifier.AccuracyDrop <= 0.01, $"drop {classifier.AccuracyDrop:P1}");
    }

    [Theory]
    [InlineData("gsm8k-routellm.jsonl")]
    [InlineData("medmcqa-llama.jsonl")]
    [InlineData("medmcqa-qwen-oai.jsonl")]
    [InlineData("mmlu-llama.jsonl")]
    [InlineData("mmlu-qwen-oai.jsonl")]
    [InlineData("routerbench-arc-challenge.jsonl")]
    public async Task The_classifier_never_breaks_the_accuracy_hold_the_cascade_alone_keeps(string file)
    {
        var result = await ReplayResults.AtDefaultSeedAsync(file);

        var cascade = result.Strategy(ReplayStrategy.Cascade);
        var classifier = result.Strategy(ReplayStrategy.ClassifierCascade);
        Assert.Equal(result.CascadeAccuracy, cascade.Accuracy);
        if (cascade.AccuracyDrop <= 0.015)
        {
            Assert.True(classifier.AccuracyDrop <= 0.015, $"{file}: classifier → cascade {classifier.Accuracy:0.000} vs top {classifier.TopAccuracy:0.000} (cascade alone {cascade.Accuracy:0.000}; {classifier.Note})");
        }

        Assert.Equal(cascade.Unanswered, classifier.Unanswered);
    }

    [Fact]
    public async Task Replay_verb_prints_every_strategy_and_each_ones_mean_and_deviation_over_the_seeds()
    {
        var path = Write("verb", i => i % 4 == 0 ? $"Fix:\n```\nvar x = {i};\n```" : $"Capital of country {i}?", i => i % 5 == 0);
        var markdown = Path.Combine(_dir, "table.md");
        var console = new Spectre.Console.Testing.TestConsole();
        console.Profile.Width = 400;

        var exit = await RoutedPrompts.Cli.CliApp.RunAsync(["replay", path, "--seeds", "1, 2", "--markdown", markdown], console);

        Assert.Equal(0, exit);
        Assert.Contains("Over cross-validation seeds 1, 2", console.Output, StringComparison.Ordinal);
        var table = await File.ReadAllTextAsync(markdown);
        Assert.StartsWith("| file | cascade (calibrated on train) |", table, StringComparison.Ordinal);
        Assert.Contains("| file | strategy | acc. | Δ acc. (pts) |", table, StringComparison.Ordinal);
        Assert.Contains("| verb | rules → cascade | 1.000 | 0.0 |", table, StringComparison.Ordinal);
        Assert.Contains("| verb | rules alone | 2 | ", table, StringComparison.Ordinal);
        Assert.Contains("| verb | cascade alone | 2 | 0.0 ± 0.0 |", table, StringComparison.Ordinal);

        var bad = new Spectre.Console.Testing.TestConsole();
        Assert.Equal(1, await RoutedPrompts.Cli.CliApp.RunAsync(["replay", path, "--seeds", "1,two"], bad));
    }

    /// <summary>
    /// Writes a recording of <see cref="PerSplit"/> train then as many test queries answered by two models: "top" is always
    /// right and sure (log-prob −0.01) at $1e-3; "cheap" costs <paramref name="cheapCost"/> and is right and sure unless
    /// <paramref name="cheapWrong"/>, when it is wrong and unsure (log-prob −3).
    /// </summary>
    private string Write(string name, Func<int, string> prompt, Func<int, bool> cheapWrong, decimal cheapCost = 1e-4m)
    {
        var path = Path.Combine(_dir, name + ".jsonl");
        var lines = Enumerable.Range(0, 2 * PerSplit).Select(i => new JsonObject
        {
            ["id"] = $"{name}-{i}",
            ["dataset"] = name,
            ["split"] = i < PerSplit ? "train" : "test",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt(i) }),
            ["reference"] = null,
            ["responses"] = new JsonObject
            {
                ["cheap"] = Answer(cheapWrong(i) ? "B" : "A", cheapCost, cheapWrong(i) ? -3 : -0.01, !cheapWrong(i)),
                ["top"] = Answer("A", 1e-3m, -0.01, true),
            },
        }.ToJsonString());
        File.WriteAllLines(path, lines);
        return path;
    }

    private static JsonObject Answer(string text, decimal cost, double logprob, bool correct) => new()
    {
        ["text"] = text,
        ["cost_usd"] = cost,
        ["logprob"] = logprob,
        ["correct"] = correct,
    };
}
