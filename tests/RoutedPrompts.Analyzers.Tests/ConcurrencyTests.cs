using Microsoft.CodeAnalysis.Diagnostics;
using RoutedPrompts.Analyzers.Tests.Infrastructure;
using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>The analyzer shares its per-compilation inputs between concurrent callbacks and honours cancellation.</summary>
public sealed class ConcurrencyTests
{
    private static CSharpCompilation Compilation(int files) => CSharpCompilation.Create(
        "Concurrency",
        Enumerable.Range(0, files).Select(i => CSharpSyntaxTree.ParseText(
            Sources.Usings + $$"""
            public partial class Prompts{{i}}(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
                public partial Task<string> SummarizeAsync(string text, string unused{{i}});

                [RoutedPrompt(Tier.Small, Prompt = "Answer {question}", ConfidenceThreshold = 0.5)]
                public partial Task<string> AnswerAsync(string question);
            }
            """,
            new CSharpParseOptions(LanguageVersion.CSharp12),
            path: $"/p/File{i}.cs")),
        CompilationInputs.References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static AnalyzerOptions Options() => new([
        new InMemoryAdditionalText(Sources.ConfigPath, Sources.Config(singleDeployment: true).Text),
        new InMemoryAdditionalText("/project/evals/summary.jsonl", "not json\n" + Sources.TextRows(10)),
    ]);

    private static async Task<string[]> AnalyzeAsync(bool concurrent, CancellationToken cancellationToken = default)
    {
        var options = new CompilationWithAnalyzersOptions(Options(), null, concurrentAnalysis: concurrent, logAnalyzerExecutionTime: false);
        var diagnostics = await Compilation(40).WithAnalyzers([new RoutedPromptsAnalyzer()], options).GetAnalyzerDiagnosticsAsync(cancellationToken);
        return diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task Concurrent_analysis_reports_exactly_what_sequential_analysis_reports()
    {
        var sequential = await AnalyzeAsync(concurrent: false);
        var concurrent = await AnalyzeAsync(concurrent: true);

        Assert.Equal(sequential, concurrent);
        // Per file: for SummarizeAsync RP0109 (unused parameter), RP0002 for the first 10 of its 11 rows (none has the
        // unused parameter among its inputs, and line 1 is not JSON) and RP0003; RP0001 for AnswerAsync; RP0010 for each
        // of the three tiers each task can reach.
        Assert.Equal(40 * (1 + 10 + 1 + 1 + 6), concurrent.Length);
        Assert.DoesNotContain(concurrent, d => d.Contains("AD0001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_stops_the_analysis()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AnalyzeAsync(concurrent: true, cancellation.Token));
    }
}
