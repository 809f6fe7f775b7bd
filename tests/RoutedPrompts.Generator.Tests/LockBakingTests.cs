using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using RoutedPrompts.Generator.Tests.Infrastructure;
using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// <c>routedprompts.lock.json</c> baked into the descriptors: a current entry sets the start tier (the attribute is a
/// floor, the max tier a ceiling) and the per-tier thresholds; a stale or missing entry bakes nothing; editing the lock
/// re-emits only the tasks whose entry changed.
/// </summary>
public sealed class LockBakingTests
{
    private const string Sources = """
        using System.Threading.Tasks;
        using RoutedPrompts;

        namespace App;

        public sealed record Answer(string Text, int Score);

        public sealed partial class AnswerPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, EvalSet = "evals/answer.jsonl", Instructions = "Answer briefly.", Prompt = "Answer {question}")]
            public partial Task<Answer> AnswerAsync(string question);
        }

        public sealed partial class CappedPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Medium, MaxTier = Tier.Medium, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}")]
            public partial Task<string> SummarizeAsync(string text);
        }
        """;

    private const string AnswerEvals = """{"inputs": {"question": "2+2?"}, "expected": {"text": "4", "score": 1}}""";
    private const string SummaryEvals = """{"inputs": {"text": "a long text"}, "expected": "short"}""";

    private static readonly (string Path, string Text)[] EvalSets =
        [("/project/evals/answer.jsonl", AnswerEvals), ("/project/evals/summary.jsonl", SummaryEvals)];

    /// <summary>The hashes the tool computes from the Answer descriptor's instructions, template and schema (the descriptor carries none).</summary>
    private static readonly Lazy<(string Prompt, string Schema)> AnswerHashes = new(() =>
    {
        var schema = Regex.Match(Generate([]).Answer, "SchemaJson = (\"(?:[^\"\\\\]|\\\\.)*\")").Groups[1].Value is { Length: > 0 } literal
            ? Regex.Unescape(literal[1..^1])
            : throw new InvalidOperationException("SchemaJson not found");
        return (RoutedTaskHashing.PromptHash("Answer briefly.", "Answer {question}"), RoutedTaskHashing.SchemaHash(schema));
    });

    [Fact]
    public void A_current_entry_bakes_its_start_tier_and_thresholds()
    {
        var (answer, _, diagnostics) = Generate(LockFile(AnswerEntry(startTier: "Medium", thresholds: """{ "Small": 0.72, "Medium": 0.55 }""")));

        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Medium,", answer, StringComparison.Ordinal);
        Assert.Contains(
            "TierConfidenceThresholds = new global::System.Collections.Generic.Dictionary<global::RoutedPrompts.Tier, double> { [global::RoutedPrompts.Tier.Small] = 0.72d, [global::RoutedPrompts.Tier.Medium] = 0.55d },",
            answer, StringComparison.Ordinal);
        Assert.Contains("baked from the current entry of routedprompts.lock.json (start tier Medium, attribute tier Small)", answer, StringComparison.Ordinal);
        Assert.Contains("DeclaredTier = global::RoutedPrompts.Tier.Small,", answer, StringComparison.Ordinal); // eval still measures Small
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("schema")]
    [InlineData("eval set")]
    [InlineData("evidence incomplete")] // "evidenceComplete": false: calibrated on eval results with missing answers
    [InlineData("evidence not recorded")] // no "evidenceComplete" (an older tool, or by hand), as check refuses it
    public void A_stale_entry_bakes_nothing(string changed)
    {
        var entry = AnswerEntry(startTier: "Large", thresholds: """{ "Small": 0.9 }""",
            prompt: changed == "prompt" ? "sha256:0000" : null,
            schema: changed == "schema" ? "sha256:1111" : null,
            evalSet: changed == "eval set" ? RoutedTaskHashing.EvalSetHash(AnswerEvals + "\n{\"inputs\": {\"question\": \"3+3?\"}, \"expected\": {\"text\": \"6\", \"score\": 1}}") : null,
            evidenceComplete: changed == "evidence incomplete" ? "false" : changed == "evidence not recorded" ? null : "true");

        var (answer, _, diagnostics) = Generate(LockFile(entry));

        Assert.Empty(diagnostics); // staleness is RP0004's to report, not the generator's
        Assert.Equal(Generate([]).Answer, answer);
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Small,", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("TierConfidenceThresholds", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_without_an_entry_or_with_an_unusable_lock_file_bakes_nothing()
    {
        var unbaked = Generate([]).Answer;

        Assert.Equal(unbaked, Generate(LockFile()).Answer);
        Assert.Equal(unbaked, Generate([("/project/routedprompts.lock.json", "{ not json")]).Answer);
        var current = AnswerEntry(startTier: "Medium", thresholds: """{ "Small": 0.72 }""");
        Assert.NotEqual(unbaked, Generate(LockFile(current)).Answer);
        Assert.Equal(unbaked, Generate([("/project/routedprompts.lock.json", LockText(current).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal))]).Answer); // another format
    }

    [Fact]
    public void The_attribute_tier_is_a_floor_and_the_max_tier_a_ceiling()
    {
        var summaryPrompt = RoutedTaskHashing.PromptHash(null, "Summarize {text}");
        string Summary(string startTier) => Entry("CappedPrompts.Summarize", summaryPrompt, null, RoutedTaskHashing.EvalSetHash(SummaryEvals), startTier, """{ "Medium": 0.8 }""");

        var lower = Generate(LockFile(Summary("Small"))).Capped;
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Medium,", lower, StringComparison.Ordinal);
        Assert.DoesNotContain("DeclaredTier", lower, StringComparison.Ordinal); // the start stayed at the attribute's tier
        Assert.Contains("[global::RoutedPrompts.Tier.Medium] = 0.8d", lower, StringComparison.Ordinal);

        var higher = Generate(LockFile(Summary("Large"))).Capped;
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Medium,", higher, StringComparison.Ordinal);
        Assert.Contains("MaxTier = global::RoutedPrompts.Tier.Medium,", higher, StringComparison.Ordinal);
        Assert.Contains("(start tier Large, attribute tier Medium)", higher, StringComparison.Ordinal);
    }

    [Fact]
    public void The_baked_descriptor_carries_the_start_tier_and_thresholds_at_run_time()
    {
        var (_, _, trees) = GeneratorDriverHelper.Run([Sources], [.. EvalSets, .. LockFile(AnswerEntry(startTier: "Medium", thresholds: """{ "Small": 0.72, "Medium": 0.55 }"""))]);
        using var image = new MemoryStream();
        var emit = GeneratorDriverHelper.Compile([Sources]).AddSyntaxTrees(trees).Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));

        var type = Assembly.Load(image.ToArray()).GetType("App.AnswerPrompts")!;
        var task = (RoutedTask)type.GetField("__RoutedPrompt_AnswerAsync", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

        Assert.Equal(Tier.Medium, task.Tier);
        Assert.Equal(new Dictionary<Tier, double> { [Tier.Small] = 0.72, [Tier.Medium] = 0.55 }, task.TierConfidenceThresholds);
    }

    private const string ClassifierJson = """
        { "features": 1, "bucketBits": 18, "bias": -0.25, "weights": { "70": -1.5, "5": 0.75 },
          "lengthWeights": [0.1, -0.2, 0, 0.3, -1], "lengthMeans": [3.5, 2, 0.7, 0.01, 0.1], "lengthScales": [1.2, 0.9, 0.5, 0.02, 0.3],
          "threshold": 0.42, "reason": "cross-validation: ..." }
        """;

    [Fact]
    public void A_current_entry_bakes_its_classifier_into_the_descriptor()
    {
        var (answer, _, diagnostics) = Generate(LockFile(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: ClassifierJson)));

        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(
            "Classifier = new global::RoutedPrompts.PromptClassifier(1, 18, -0.25d, new int[] { 5, 70 }, new double[] { 0.75d, -1.5d }, new double[] { 0.1d, -0.2d, 0d, 0.3d, -1d }, " +
            "new double[] { 3.5d, 2d, 0.7d, 0.01d, 0.1d }, new double[] { 1.2d, 0.9d, 0.5d, 0.02d, 0.3d }, 0.42d),",
            answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "off": "the cascade has one tier" }""")]
    [InlineData("""{ "features": 2, "bucketBits": 18, "bias": 0, "weights": {}, "lengthWeights": [0,0,0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 0.5 }""")]
    [InlineData("""{ "features": 1, "bucketBits": 18, "bias": "high", "weights": {}, "lengthWeights": [0,0,0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 0.5 }""")]
    public void A_classifier_that_is_off_of_an_unknown_feature_version_or_malformed_is_not_baked(string classifier)
    {
        var (answer, _, _) = Generate(LockFile(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: classifier)));

        Assert.DoesNotContain("Classifier =", answer, StringComparison.Ordinal);
        Assert.Contains("[global::RoutedPrompts.Tier.Small] = 0.6d", answer, StringComparison.Ordinal); // the rest of the entry still bakes
    }

    [Fact]
    public void A_stale_entry_bakes_no_classifier()
    {
        var (answer, _, _) = Generate(LockFile(AnswerEntry("Small", """{ "Small": 0.6 }""", prompt: "sha256:0000", classifier: ClassifierJson)));

        Assert.DoesNotContain("Classifier =", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void The_baked_classifier_predicts_exactly_as_one_built_from_the_lock_entry()
    {
        var (_, _, trees) = GeneratorDriverHelper.Run([Sources], [.. EvalSets, .. LockFile(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: ClassifierJson))]);
        using var image = new MemoryStream();
        var emit = GeneratorDriverHelper.Compile([Sources]).AddSyntaxTrees(trees).Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var type = Assembly.Load(image.ToArray()).GetType("App.AnswerPrompts")!;
        var baked = ((RoutedTask)type.GetField("__RoutedPrompt_AnswerAsync", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).Classifier!;

        var parsed = RoutedPrompts.Shared.LockFile.Read(LockText(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: ClassifierJson)))!["AnswerPrompts.Answer"].Classifier!;
        var direct = new PromptClassifier(parsed.FeaturesVersion, parsed.BucketBits, parsed.Bias, parsed.Indices, parsed.Weights, parsed.LengthWeights, parsed.LengthMeans, parsed.LengthScales, parsed.Threshold);

        Assert.Equal(direct.Indices, baked.Indices);
        Assert.Equal(direct.Weights, baked.Weights);
        Assert.Equal(0.42, baked.Threshold);
        foreach (var text in new[] { "2+2?", "Prove the theorem", "```cs\nvar x = 1;\n```", string.Empty, "A much longer question about 42 invoices and their 7 totals" })
        {
            IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> messages = [new(Microsoft.Extensions.AI.ChatRole.User, text)];
            Assert.Equal(direct.Predict(messages), baked.Predict(messages));
        }
    }

    [Fact]
    public void Editing_one_tasks_classifier_re_emits_only_that_tasks_file()
    {
        var summary = Entry("CappedPrompts.Summarize", RoutedTaskHashing.PromptHash(null, "Summarize {text}"), null, RoutedTaskHashing.EvalSetHash(SummaryEvals), "Medium", """{ "Medium": 0.5 }""");
        var before = LockText(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: ClassifierJson), summary);
        var after = LockText(AnswerEntry("Small", """{ "Small": 0.6 }""", classifier: ClassifierJson.Replace("0.42", "0.47", StringComparison.Ordinal)), summary);

        var result = RunWithEditedLock(before, after);

        var modified = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Where(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New).ToList();
        Assert.Single(modified);
        Assert.Contains(", 0.47d),", result.GeneratedSources.Single(s => s.HintName == "App.AnswerPrompts.RoutedPrompts.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_one_tasks_entry_re_emits_only_that_tasks_file()
    {
        var summary = Entry("CappedPrompts.Summarize", RoutedTaskHashing.PromptHash(null, "Summarize {text}"), null, RoutedTaskHashing.EvalSetHash(SummaryEvals), "Medium", """{ "Medium": 0.5 }""");
        var before = LockText(AnswerEntry("Small", """{ "Small": 0.6 }"""), summary);
        var after = LockText(AnswerEntry("Small", """{ "Small": 0.75 }"""), summary);

        var result = RunWithEditedLock(before, after);

        var emitted = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        var modified = emitted.Where(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New).ToList();
        Assert.Single(modified);
        Assert.All(result.TrackedSteps[TrackingNames.Resolve].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Contains("[global::RoutedPrompts.Tier.Small] = 0.75d", result.GeneratedSources.Single(s => s.HintName == "App.AnswerPrompts.RoutedPrompts.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_that_changes_no_baked_value_re_emits_nothing()
    {
        var before = LockText(AnswerEntry("Medium", """{ "Small": 0.6 }""", calibratedAt: "2026-11-29T05:00:00Z"));
        var after = LockText(AnswerEntry("Medium", """{ "Small": 0.6 }""", calibratedAt: "2026-11-30T09:00:00Z", accuracy: "0.93"));

        IncrementalTests.AssertNothingChanged(RunWithEditedLock(before, after));
    }

    private static GeneratorRunResult RunWithEditedLock(string before, string after)
    {
        var compilation = GeneratorDriverHelper.Compile([Sources]);
        var lockText = new InMemoryAdditionalText("/project/routedprompts.lock.json", before);
        var driver = GeneratorDriverHelper.CreateDriver(EvalSets, trackSteps: true).AddAdditionalTexts([lockText]).RunGenerators(compilation);
        Assert.Null(driver.GetRunResult().Results.Single().Exception);
        driver = driver.ReplaceAdditionalText(lockText, new InMemoryAdditionalText(lockText.Path, after)).RunGenerators(compilation);
        return driver.GetRunResult().Results.Single();
    }

    private static (string Answer, string Capped, ImmutableArray<Diagnostic> Diagnostics) Generate(params (string Path, string Text)[] lockFile)
    {
        var (result, diagnostics, _) = GeneratorDriverHelper.Run([Sources], [.. EvalSets, .. lockFile]);
        Assert.Null(result.Exception);
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        string File(string type) => result.GeneratedSources.Single(s => s.HintName == "App." + type + ".RoutedPrompts.g.cs").SourceText.ToString();
        return (File("AnswerPrompts"), File("CappedPrompts"), diagnostics);
    }

    private static (string Path, string Text)[] LockFile(params string[] entries) => [("/project/routedprompts.lock.json", LockText(entries))];

    private static string LockText(params string[] entries) => "{ \"version\": 1, \"tasks\": { " + string.Join(", ", entries) + " } }";

    private static string AnswerEntry(string startTier, string thresholds, string? prompt = null, string? schema = null, string? evalSet = null,
        string calibratedAt = "2026-11-29T05:00:00Z", string accuracy = "0.91", string? evidenceComplete = "true", string? classifier = null) =>
        Entry("AnswerPrompts.Answer", prompt ?? AnswerHashes.Value.Prompt, schema ?? AnswerHashes.Value.Schema, evalSet ?? RoutedTaskHashing.EvalSetHash(AnswerEvals),
            startTier, thresholds, calibratedAt, accuracy, evidenceComplete, classifier);

    /// <summary>
    /// A lock entry as <c>calibrate</c> writes it; <paramref name="evidenceComplete"/> <see langword="null"/> leaves the
    /// field out, <paramref name="classifier"/> is the <c>classifier</c> object's JSON (none when <see langword="null"/>).
    /// </summary>
    private static string Entry(string task, string prompt, string? schema, string evalSet, string startTier, string thresholds,
        string calibratedAt = "2026-11-29T05:00:00Z", string accuracy = "0.91", string? evidenceComplete = "true", string? classifier = null) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            "{{task}}": {
              "promptHash": "{{prompt}}", "schemaHash": {{(schema is null ? "null" : "\"" + schema + "\"")}}, "evalSetHash": "{{evalSet}}",
              "startTier": "{{startTier}}", "thresholds": {{thresholds}},
              "expected": { "accuracy": {{accuracy}}, "escalationRate": 0.18, "costPerRequestUsd": 0.00012 },
              "calibratedAt": "{{calibratedAt}}"{{(evidenceComplete is null ? string.Empty : ", \"evidenceComplete\": " + evidenceComplete)}}{{(classifier is null ? string.Empty : ", \"classifier\": " + classifier)}}
            }
            """);
}
