using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.Text;
using RoutedPrompts.Generator.Tests.Infrastructure;
using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits re-emit nothing, template edits do, and the model holds no Roslyn objects.</summary>
public sealed class IncrementalTests
{
    private const string Prompts = """
        using System.Threading;
        using System.Threading.Tasks;
        using RoutedPrompts;

        namespace App;

        public sealed record Answer(string Text, int Score);

        public sealed partial class Prompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "Answer {question}")]
            public partial Task<Answer> AnswerAsync(string question, RouteContext? context = null, CancellationToken cancellationToken = default);

            [RoutedPrompt(Tier.Small, PromptFile = "prompts/summary.txt")]
            public partial Task<string> SummarizeAsync(string text);

            public int Helper() => 1;
        }
        """;

    private const string Unrelated = """
        namespace App;

        public static class Unrelated
        {
            public static int Compute(int x) => x + 1;
        }
        """;

    private static readonly (string Path, string Text)[] Files = [("/project/prompts/summary.txt", "Summarize: {text}")];

    /// <summary>Two tasks in two types, each with its eval set.</summary>
    private const string TwoTasks = """
        using System.Threading.Tasks;
        using RoutedPrompts;

        namespace App;

        public sealed partial class FirstPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, EvalSet = "evals/first.jsonl", Prompt = "Summarize {text}")]
            public partial Task<string> SummarizeAsync(string text);
        }

        public sealed partial class SecondPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, EvalSet = "evals/second.jsonl", Prompt = "Translate {text}")]
            public partial Task<string> TranslateAsync(string text);
        }
        """;

    private const string FirstEvalsPath = "/project/evals/first.jsonl";
    private const string FirstEvals = """{"inputs": {"text": "a long text"}, "expected": "short"}""";
    private const string AnotherFirstRow = """{"inputs": {"text": "another long text"}, "expected": "brief"}""";
    private const string SecondEvals = """{"inputs": {"text": "bonjour"}, "expected": "hello"}""";

    private static readonly (string Path, string Text)[] EvalSetFiles = [(FirstEvalsPath, FirstEvals), ("/project/evals/second.jsonl", SecondEvals)];

    /// <summary>A lock file whose entries are current for both tasks and start them at Medium.</summary>
    private static readonly (string Path, string Text) CurrentLockFile = ("/project/routedprompts.lock.json", "{ \"version\": 1, \"tasks\": { " +
        LockEntry("FirstPrompts.Summarize", "Summarize {text}", FirstEvals) + ", " + LockEntry("SecondPrompts.Translate", "Translate {text}", SecondEvals) + " } }");

    private static readonly (string Path, string Text) Config = ("/project/routedprompts.json", """
        {
          "Tiers": {
            "Small": { "Deployments": [ { "Provider": "openai", "Model": "gpt-4o-mini", "InputUsdPerMillionTokens": 0.15, "OutputUsdPerMillionTokens": 0.6 } ] },
            "Medium": { "Deployments": [ { "Provider": "openai", "Model": "gpt-4.1-mini", "InputUsdPerMillionTokens": 0.4, "OutputUsdPerMillionTokens": 1.6 } ] }
          },
          "Tasks": { "FirstPrompts.Summarize": { "Temperature": 0.2 } }
        }
        """);

    /// <summary>Every tracked step of the generator's pipeline.</summary>
    internal static readonly string[] StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void Editing_an_unrelated_file_re_emits_nothing() =>
        AssertNothingChanged(RunEdited(1, Unrelated, "x + 1", "x + 2"));

    [Fact]
    public void Editing_a_method_body_elsewhere_re_emits_nothing() =>
        AssertNothingChanged(RunEdited(0, Prompts, "Helper() => 1", "Helper() => 1 + 41"));

    [Fact]
    public void Shifting_the_methods_only_re_parses_but_re_emits_nothing()
    {
        var result = RunEdited(0, Prompts, "namespace App;", "namespace App;\n\n// a comment that moves every span");

        Assert.Contains(result.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        AssertNoSourceReEmitted(result);
    }

    [Fact]
    public void Editing_the_inline_template_re_emits_the_type_file()
    {
        var result = RunEdited(0, Prompts, "Answer {question}", "Please answer {question}");

        Assert.Contains(result.TrackedSteps[TrackingNames.TypeFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Please answer ", result.GeneratedSources.Single(s => s.HintName == "App.Prompts.RoutedPrompts.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Renaming_the_route_context_parameter_re_emits_the_type_file_with_the_new_name()
    {
        // Every other test here runs with AnswerAsync's RouteContext parameter: an edit elsewhere re-emits nothing.
        var result = RunEdited(0, Prompts, "RouteContext? context", "RouteContext? request");

        Assert.Contains(result.TrackedSteps[TrackingNames.TypeFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(
            "_Messages(question), request, new object?[] { question }, cancellationToken)",
            result.GeneratedSources.Single(s => s.HintName == "App.Prompts.RoutedPrompts.g.cs").SourceText.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_the_prompt_file_re_emits_the_type_file()
    {
        var compilation = GeneratorDriverHelper.Compile([Prompts, Unrelated]);
        var oldText = new InMemoryAdditionalText(Files[0].Path, Files[0].Text);
        var driver = GeneratorDriverHelper.CreateDriver([], trackSteps: true).AddAdditionalTexts([oldText]).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(oldText, new InMemoryAdditionalText(Files[0].Path, "New summary of {text}")).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.Resolve].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("New summary of ", result.GeneratedSources.Single(s => s.HintName == "App.Prompts.RoutedPrompts.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_an_eval_set_re_bakes_only_the_task_that_names_it()
    {
        var result = RunWithEditedFile(EvalSetFiles, FirstEvalsPath, FirstEvals + "\n" + AnotherFirstRow);

        // Eval sets never reach Resolve (it re-ran for every task before, their files being one input with the templates).
        AssertReasons(result, TrackingNames.Resolve, ("SummarizeAsync", IncrementalStepRunReason.Cached), ("TranslateAsync", IncrementalStepRunReason.Cached));
        Assert.Equal(IncrementalStepRunReason.Modified, result.TrackedSteps[TrackingNames.EvalSets].Single().Outputs.Single().Reason);
        // Every task looks its eval set up again in the new (path, hash) list; only the one naming the edited file gets another hash.
        AssertReasons(result, TrackingNames.EvalSet, ("SummarizeAsync", IncrementalStepRunReason.Modified), ("TranslateAsync", IncrementalStepRunReason.Unchanged));
        // Without a lock file the hash bakes nothing, so the re-baked model is equal and nothing is emitted again.
        AssertReasons(result, TrackingNames.Models, ("SummarizeAsync", IncrementalStepRunReason.Unchanged), ("TranslateAsync", IncrementalStepRunReason.Cached));
        AssertNoSourceReEmitted(result);
    }

    [Fact]
    public void Editing_an_eval_set_re_emits_only_the_type_file_of_the_task_it_makes_stale()
    {
        var result = RunWithEditedFile([.. EvalSetFiles, CurrentLockFile], FirstEvalsPath, FirstEvals + "\n" + AnotherFirstRow);

        AssertReasons(result, TrackingNames.Resolve, ("SummarizeAsync", IncrementalStepRunReason.Cached), ("TranslateAsync", IncrementalStepRunReason.Cached));
        AssertReasons(result, TrackingNames.Models, ("SummarizeAsync", IncrementalStepRunReason.Modified), ("TranslateAsync", IncrementalStepRunReason.Cached));
        var emitted = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.Single(emitted, o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Small,", Generated(result, "FirstPrompts"), StringComparison.Ordinal); // its entry is stale now
        Assert.Contains("Tier = global::RoutedPrompts.Tier.Medium,", Generated(result, "SecondPrompts"), StringComparison.Ordinal); // still baked
    }

    /// <summary>
    /// The generator reads nothing of <c>routedprompts.json</c> (deployments and chat options are the router's and the
    /// analyzers'; a lock entry's chat-options hash is RP0004's to compare): the file is dropped, on its own, before any
    /// task step, so every tracked step is Cached, not merely re-run with an equal result.
    /// </summary>
    [Theory]
    [InlineData("\"Model\": \"gpt-4o-mini\"", "\"Model\": \"gpt-4.1-nano\"")] // a deployment
    [InlineData("\"Temperature\": 0.2", "\"Temperature\": 0.7")] // a task's chat option
    public void Editing_routedprompts_json_re_runs_no_step(string from, string to)
    {
        var result = RunWithEditedFile([.. EvalSetFiles, CurrentLockFile, Config], Config.Path, Config.Text.Replace(from, to, StringComparison.Ordinal));

        var cached = new[] { ("SummarizeAsync", IncrementalStepRunReason.Cached), ("TranslateAsync", IncrementalStepRunReason.Cached) };
        AssertReasons(result, TrackingNames.Resolve, cached);
        AssertReasons(result, TrackingNames.EvalSet, cached);
        AssertReasons(result, TrackingNames.Models, cached);
        foreach (var (name, steps) in result.TrackedSteps.Where(s => StepNames.Contains(s.Key))) // Converters has no output here: text results
        {
            Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(o.Reason == IncrementalStepRunReason.Cached, $"{name}: {o.Reason}"));
        }

        AssertNoSourceReEmitted(result);
    }

    [Fact]
    public void The_model_holds_no_symbols_syntax_or_locations()
    {
        var (driver, _) = RunOnce();
        var result = driver.GetRunResult().Results.Single();

        Assert.Equal(StepNames.Order(), result.TrackedSteps.Keys.Where(StepNames.Contains).Order());
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var name in StepNames)
        {
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                AssertNoRoslynObjects(output.Value, name, visited);
            }
        }

        Assert.Contains(visited, o => o is TaskModel);
        Assert.Contains(visited, o => o is JsonTypeDef);
        Assert.Contains(visited, o => o is LocationInfo);
    }

    [Fact]
    public void A_file_no_task_names_is_never_read()
    {
        // Old: every AdditionalFile but the lock file was read (and its text kept) before it was matched by name.
        var unnamed = new ReadCountingText("/project/data/large-corpus.jsonl");
        var config = new ReadCountingText(Config.Path);
        var evalSet = new ReadCountingText(FirstEvalsPath, FirstEvals);
        var compilation = GeneratorDriverHelper.Compile([TwoTasks]);
        var result = GeneratorDriverHelper.CreateDriver([], trackSteps: true)
            .AddAdditionalTexts([unnamed, config, evalSet])
            .RunGenerators(compilation)
            .GetRunResult().Results.Single();

        Assert.Null(result.Exception);
        Assert.Equal((0, 0, 1), (unnamed.Reads, config.Reads, evalSet.Reads));
    }

    /// <summary>An AdditionalFile that counts how often its text is read.</summary>
    private sealed class ReadCountingText(string path, string text = "{}") : AdditionalText
    {
        public int Reads { get; private set; }

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default)
        {
            Reads++;
            return SourceText.From(text);
        }
    }

    /// <summary>Runs <see cref="TwoTasks"/> with <paramref name="files"/>, replaces the file at <paramref name="path"/> with <paramref name="text"/>, runs again.</summary>
    private static GeneratorRunResult RunWithEditedFile((string Path, string Text)[] files, string path, string text)
    {
        var compilation = GeneratorDriverHelper.Compile([TwoTasks]);
        var texts = files.Select(f => new InMemoryAdditionalText(f.Path, f.Text)).ToList();
        var driver = GeneratorDriverHelper.CreateDriver([], trackSteps: true).AddAdditionalTexts([.. texts]).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Empty(first.Diagnostics);
        var old = texts.Single(t => t.Path == path);
        Assert.NotEqual(old.GetText()!.ToString(), text);
        var result = driver.ReplaceAdditionalText(old, new InMemoryAdditionalText(path, text)).RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    /// <summary>The step's output reason for each task, by method name.</summary>
    private static void AssertReasons(GeneratorRunResult result, string step, params (string Method, IncrementalStepRunReason Reason)[] expected)
    {
        var actual = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => (Method: o.Value switch
        {
            ResolvedMethod resolved => resolved.Model!.MethodName,
            TaskToBake task => task.Model.MethodName,
            TaskModel model => model.MethodName,
            var other => throw new InvalidOperationException(step + " outputs a " + other.GetType().Name),
        }, o.Reason));
        Assert.Equal(expected.Order(), actual.Order());
    }

    private static string Generated(GeneratorRunResult result, string type) =>
        result.GeneratedSources.Single(s => s.HintName == "App." + type + ".RoutedPrompts.g.cs").SourceText.ToString();

    private static (GeneratorDriver Driver, Compilation Compilation) RunOnce()
    {
        var compilation = GeneratorDriverHelper.Compile([Prompts, Unrelated]);
        var driver = GeneratorDriverHelper.CreateDriver(Files, trackSteps: true).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(3, result.GeneratedSources.Length); // the type file, the Answer converter, the registry
        return (driver, compilation);
    }

    /// <summary>Runs once, replaces <paramref name="from"/> with <paramref name="to"/> in source file <paramref name="index"/>, runs again.</summary>
    private static GeneratorRunResult RunEdited(int index, string source, string from, string to)
    {
        var (driver, compilation) = RunOnce();
        var old = compilation.SyntaxTrees.ElementAt(index);
        var edited = source.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(source, edited);
        var next = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(edited, GeneratorDriverHelper.ParseOptions, old.FilePath));
        return driver.RunGenerators(next).GetRunResult().Results.Single();
    }

    private static string LockEntry(string task, string template, string evalSet) =>
        "\"" + task + "\": { \"promptHash\": \"" + RoutedTaskHashing.PromptHash(null, template) + "\", \"schemaHash\": null, \"evalSetHash\": \"" +
        RoutedTaskHashing.EvalSetHash(evalSet) + "\", \"startTier\": \"Medium\", \"thresholds\": { \"Medium\": 0.6 }, " +
        "\"expected\": { \"accuracy\": 0.9, \"escalationRate\": 0.1, \"costPerRequestUsd\": 0.0001 }, \"calibratedAt\": \"2026-11-29T05:00:00Z\", \"evidenceComplete\": true }";

    /// <summary>Every tracked step is Cached or Unchanged and no source is re-emitted.</summary>
    internal static void AssertNothingChanged(GeneratorRunResult result)
    {
        foreach (var name in StepNames)
        {
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {output.Reason}");
            }
        }

        AssertNoSourceReEmitted(result);
    }

    private static void AssertNoSourceReEmitted(GeneratorRunResult result)
    {
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    private static void AssertNoRoslynObjects(object? value, string step, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or Location or SemanticModel or Compilation or SyntaxTree or AttributeData,
            $"Step {step} keeps a {value.GetType().FullName}");
        if (value is IEnumerable sequence and not SourceText)
        {
            foreach (var item in sequence)
            {
                AssertNoRoslynObjects(item, step, visited);
            }
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike)
                {
                    AssertNoRoslynObjects(field.GetValue(value), step, visited);
                }
            }
        }
    }
}
