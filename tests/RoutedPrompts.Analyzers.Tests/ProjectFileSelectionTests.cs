using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RoutedPrompts.Generator;
using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>
/// The analyzers and the generator count the same AdditionalFiles (<see cref="ProjectFileSelection"/>): whatever lock
/// file RP0004 judges is the one the generator bakes the start tier from, with two equally long lock-file paths in
/// either order, an unreadable lock file and a path listed twice.
/// </summary>
public sealed class ProjectFileSelectionTests
{
    private const string Source = """
        using System.Threading.Tasks;
        using RoutedPrompts;

        public sealed partial class P(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, EvalSet = "evals/s.jsonl", Instructions = "Be brief.", Prompt = "Summarize {text}")]
            public partial Task<string> SummarizeAsync(string text);
        }
        """;

    private const string Rows = """{"inputs": {"text": "a long text"}, "expected": "short"}""";

    private static readonly string Current = Lock(RoutedTaskHashing.PromptHash("Be brief.", "Summarize {text}"));

    private static readonly string Stale = Lock("sha256:0000");

    public static TheoryData<string[], string?[], bool> Cases() => new()
    {
        // Two lock files with equally long paths: the ordinally first path counts, whichever the compiler lists first.
        { ["/p/b/routedprompts.lock.json", "/p/a/routedprompts.lock.json"], [Stale, Current], false },
        { ["/p/a/routedprompts.lock.json", "/p/b/routedprompts.lock.json"], [Current, Stale], false },
        { ["/p/a/routedprompts.lock.json", "/p/b/routedprompts.lock.json"], [Stale, Current], true },

        // An unreadable lock file does not count, however short its path.
        { ["/p/routedprompts.lock.json", "/p/sub/routedprompts.lock.json"], [null, Current], false },
        { ["/p/routedprompts.lock.json", "/p/sub/routedprompts.lock.json"], [null, Stale], true },

        // A path listed twice: the first counts.
        { ["/p/routedprompts.lock.json", "/p/routedprompts.lock.json"], [Stale, Current], true },
        { ["/p/routedprompts.lock.json", "/p/routedprompts.lock.json"], [Current, Stale], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RP0004_and_the_baked_start_tier_come_from_the_same_lock_file(string[] paths, string?[] texts, bool stale)
    {
        var files = paths.Zip(texts, (path, text) => (AdditionalText)new MaybeUnreadable(path, text))
            .Append(new MaybeUnreadable("/p/evals/s.jsonl", Rows))
            .ToImmutableArray();
        var compilation = CSharpCompilation.Create(
            "Selection",
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.CSharp12), path: "/p/P.cs")],
            CompilationInputs.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        CSharpGeneratorDriver.Create([new RoutedPromptGenerator().AsSourceGenerator()], files, (CSharpParseOptions)compilation.SyntaxTrees.First().Options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var baked = output.SyntaxTrees.Any(t => t.ToString().Contains("Tier = global::RoutedPrompts.Tier.Medium,", StringComparison.Ordinal));
        var diagnostics = await output.WithAnalyzers([new RoutedPromptsAnalyzer()], new AnalyzerOptions(files)).GetAnalyzerDiagnosticsAsync();
        var reported = diagnostics.Any(d => d.Id == Rules.StaleEvaluation.Id);

        Assert.Equal(stale, reported);
        Assert.Equal(!stale, baked);
    }

    [Fact]
    public async Task An_unreadable_routedprompts_json_is_named_as_unreadable_not_as_missing()
    {
        var files = ImmutableArray.Create<AdditionalText>(new MaybeUnreadable("/p/routedprompts.json", null), new MaybeUnreadable("/p/evals/s.jsonl", Rows));
        var compilation = CSharpCompilation.Create(
            "Selection",
            [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.CSharp12), path: "/p/P.cs")],
            CompilationInputs.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var diagnostics = await compilation.WithAnalyzers([new RoutedPromptsAnalyzer()], new AnalyzerOptions(files)).GetAnalyzerDiagnosticsAsync();

        var unusable = Assert.Single(diagnostics, d => d.Id == Rules.ConfigurationUnusable.Id);
        Assert.Equal("Routed task 'P.Summarize' cannot be checked against its tiers: '/p/routedprompts.json' could not be read", unusable.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void An_unreadable_or_repeated_file_is_a_problem_and_not_counted()
    {
        var selection = ProjectFileSelection.Select(
        [
            ("/p/routedprompts.json", null),
            ("/p/x/routedprompts.json", "{}"),
            ("/p/evals/a.jsonl", "1"),
            ("/p/evals/a.jsonl", "2"),
        ]);

        Assert.Equal(["/p/x/routedprompts.json", "/p/evals/a.jsonl"], selection.Files.Select(f => f.Path));
        Assert.Equal("1", selection.Files[1].Text);
        Assert.Equal(2, selection.Files[1].Index);
        Assert.Equal("/p/x/routedprompts.json", selection.Manifest?.Path);
        Assert.Null(selection.Lock);
        Assert.Equal(
            ["'/p/routedprompts.json' could not be read", "'/p/evals/a.jsonl' is among the AdditionalFiles more than once; only the first counts"],
            selection.Problems.Select(p => p.Message));
    }

    private static string Lock(string promptHash) =>
        "{ \"version\": 1, \"tasks\": { \"P.Summarize\": { \"promptHash\": \"" + promptHash + "\", \"schemaHash\": null, \"evalSetHash\": \"" +
        RoutedTaskHashing.EvalSetHash(Rows) + "\", \"evidenceComplete\": true, \"startTier\": \"Medium\" } } }";

    /// <summary>An AdditionalFile whose text cannot be read when <paramref name="text"/> is <see langword="null"/>.</summary>
    private sealed class MaybeUnreadable(string path, string? text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => text is null ? null : SourceText.From(text);
    }
}
