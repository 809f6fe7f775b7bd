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
            public partial Task<Answer> AnswerAsync(string question, CancellationToken cancellationToken = default);

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

    /// <summary>Every tracked step of the generator's pipeline.</summary>
    internal static readonly string[] StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void EditingAnUnrelatedFileReEmitsNothing() =>
        AssertNothingChanged(RunEdited(1, Unrelated, "x + 1", "x + 2"));

    [Fact]
    public void EditingAMethodBodyElsewhereReEmitsNothing() =>
        AssertNothingChanged(RunEdited(0, Prompts, "Helper() => 1", "Helper() => 1 + 41"));

    [Fact]
    public void ShiftingTheMethodsOnlyReParsesButReEmitsNothing()
    {
        var result = RunEdited(0, Prompts, "namespace App;", "namespace App;\n\n// a comment that moves every span");

        Assert.Contains(result.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        AssertNoSourceReEmitted(result);
    }

    [Fact]
    public void EditingTheInlineTemplateReEmitsTheTypeFile()
    {
        var result = RunEdited(0, Prompts, "Answer {question}", "Please answer {question}");

        Assert.Contains(result.TrackedSteps[TrackingNames.TypeFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Please answer ", result.GeneratedSources.Single(s => s.HintName == "App.Prompts.RoutedPrompts.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EditingThePromptFileReEmitsTheTypeFile()
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
    public void TheModelHoldsNoSymbolsSyntaxOrLocations()
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
