using Microsoft.CodeAnalysis.Diagnostics;
using RoutedPrompts.Generator;
using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>
/// Half-typed and unusual code, and broken AdditionalFiles, never make the generator or the analyzers throw (no CS8785
/// or AD0001), and what the generator emits for it never adds errors of its own.
/// </summary>
public sealed class RobustnessTests
{
    private const string Usings = "using System.Collections.Generic; using System.Threading; using System.Threading.Tasks; using RoutedPrompts;\n";

    public static TheoryData<string> Sources() =>
    [
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<string> A(string x",
        "partial class P(PromptRouter r) { [RoutedPrompt(] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = 42)] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\", PromptFile = null, Schema = null, Validator = null, ValidatorType = null)] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Nope, Prompt = \"x\")] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt((Tier)7, MaxTier = (Tier)9, Prompt = \"x\")] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<Missing> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<string> A(Missing x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<R> A(); } record R(Missing M, List<> L);",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A<T>(T t) where T : class; }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(ref int a, out int b, params int[] c); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A() { return null!; } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); public partial Task<string> A() => null!; }",
        "file partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); }",
        "static partial class S { static PromptRouter R = null!; [RoutedPrompt(Tier.Small, Prompt = \"{a}{b}\")] public static partial Task<string> A(this string a, params int[] b); }",
        "partial struct S { PromptRouter R => null!; [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial ValueTask<string> A(); }",
        "partial record R(PromptRouter Router) { [RoutedPrompt(Tier.Small, Prompt = \"{@class}\")] public partial Task<Routed<string>> A(string @class); }",
        "partial record struct R(PromptRouter Router) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<Q> A(); } public record Q(Q? Self, List<Q> Children, Dictionary<string, Q?> Map, int[,] Grid);",
        "partial interface I { [RoutedPrompt(Tier.Small, Prompt = \"x\")] Task<string> A(); }",
        "partial class G<T>(PromptRouter r) { partial class N { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<T> A(); } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{\" + nameof(x) + \"}\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { const string T = \"{y}\"; [RoutedPrompt(Tier.Small, Prompt = T)] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"\"\"\n  {x}\n  \"\"\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"\\u007Bx} \\x7B {{ }} { } {x\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\", Schema = \"s.json\", PromptFile = \"p.txt\")] public partial Task<object> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<Abs> A(); } abstract class Abs { }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<E> A(); } enum E { A }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<C> A(); } class C { public C(int a, int b) { } public C(string s) { } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<D> A(); } class D { public D(int unmatched) { } public int Other { get; set; } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<V> A(); } record V(int A = 1, string? B = null, double C = double.NaN, E D = E.Y, decimal M = 1.5m) { } enum E { X, Y, Alias = 1 }",
        "class NotPartial { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); }",
        "partial class P { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(int overload); PromptRouter r = null!; }",
        "[RoutedPrompt(Tier.Small, Prompt = \"x\")] partial class OnAType { }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] [RoutedPrompt(Tier.Large, Prompt = \"y\")] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A() }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\"",
        "namespace N { partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\", EvalSet = \"evals/bad.jsonl\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\", EvalSet = \"evals/bad.jsonl\", Schema = \"s.json\")] public partial Task<R> A(string x); } record R(int A);",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\", EvalSet = \"evals/tree.jsonl\", Name = \"P.Tree\")] public partial Task<T> A(string x); } record T(T? Left, List<T> Kids, string Name);",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\", EvalSet = \"\", Name = \"\", MaxTier = (Tier)(-1))] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\", EvalSet = null!, ConfidenceThreshold = double.NaN)] public partial Task<string> A(string x); }",
        "public static partial class S { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public static partial Task<string> A(string x, PromptRouter router); }",
        "partial interface I { [RoutedPrompt(Tier.Small, Prompt = \"x\")] partial Task<string> A(); }",
        "file class F { } partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<F> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); }",
        "partial class P(PromptRouter r) { void M() { [RoutedPrompt(Tier.Small, Prompt = \"x\")] static Task<string> Local() => null!; } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\", EvalSet = ",

        // Surrogate escapes: a pair, lone halves, a \U pair, a \U beyond Unicode (CS1009).
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"\\uD83D\\uDE00 {x} \\xD800 \\U0001F600 \\uDC00{x}\\U0000DBFF\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"\\uDE00\\uD83D {y} \\xD83D\\xDE00\" + @\"\uD800\" + \"\\uDC00\")] public partial Task<string> A(string x); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"\\U0011FFFF {x} \\UFFFFFFFF\")] public partial Task<string> A(string x); }",

        // Names that collide: with the generated locals, the router, the descriptor, or another member's JSON name.
        "partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{__prompt}{__messages}{__routed}{__builder}{router}{__RoutedPrompt_A}\")] public partial Task<string> A(string __prompt, string __messages, string __routed, string __builder, int router, string __RoutedPrompt_A); }",
        "static partial class S { static PromptRouter R = null!; [RoutedPrompt(Tier.Small, Prompt = \"{R}\")] public static partial Task<string> A(string R, PromptRouter? router = null); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<C> A(); } class C { public int Value { get; set; } public int value { get; set; } [System.Text.Json.Serialization.JsonPropertyName(\"value\")] public int Other { get; set; } }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<R> A(); } record R(int Value, int value);",

        // Deep nesting: past the router's schema depth, in records and in schema files; a schema that refers to itself.
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<L1> A(); } " + NestedRecords(40),
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<List<int>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> A(); }",
        "partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"x\", Schema = \"deep.json\")] public partial Task<R> A(); [RoutedPrompt(Tier.Small, Prompt = \"x\", Schema = \"cycle.json\")] public partial Task<R> B(); } record R(int A);",
    ];

    /// <summary><c>record L1(L2 Next);</c> … <c>record Ln(int Value);</c></summary>
    private static string NestedRecords(int levels) =>
        string.Concat(Enumerable.Range(1, levels - 1).Select(i => "record L" + i + "(L" + (i + 1) + " Next); ")) + "record L" + levels + "(int Value);";

    /// <summary>Broken and half-written AdditionalFiles, each case run with them.</summary>
    private static readonly (string Path, string Text)[] Files =
    [
        ("/p/s.json", "{"),
        ("/p/p.txt", "{x"),
        ("/p/routedprompts.json", "{ \"Tiers\": { \"Small\": { \"Deployments\": [ { \"Provider\": 1, \"Model\": null, \"InputUsdPerMillionTokens\": \"x\" }, 7 ] }, \"Medium\": null }, \"Tasks\": { \"P.A\": [] } }"),
        ("/p/routedprompts.lock.json", "{ \"version\": 1, \"tasks\": { \"P.A\": { \"promptHash\": 5, \"schemaHash\": {}, \"evalSetHash\": [] }, \"P.Tree\": null } }"),
        ("/p/evals/bad.jsonl", "{\"inputs\": [], \"expected\": {\"a\": }\n\u0000\n{\"inputs\": {\"x\": 1}, \"expected\": {\"A\": \"1\", \"$ref\": \"#\"}}\n" + new string('[', 600) + "\n\"\\u12\"\n"),
        ("/p/deep.json", "{\"type\": \"object\", \"x\": " + new string('[', 300) + new string(']', 300) + ", \"y\": " + new string('[', 70) + new string(']', 70) + "}"),
        ("/p/cycle.json", "{\"type\": \"object\", \"allOf\": [{\"$ref\": \"#\"}, {\"$ref\": \"#/allOf/1\"}, {\"$ref\": \"#/allOf/9\"}, {\"$ref\": \"#/allOf/x\"}, {\"$ref\": \"#/%61\"}, {\"$ref\": 7}]}"),
        ("/p/evals/tree.jsonl", "{\"inputs\": {\"x\": \"a\"}, \"expected\": {\"left\": {\"left\": {\"left\": null, \"kids\": [{}], \"name\": 1}, \"kids\": [], \"name\": \"b\"}, \"kids\": [], \"name\": \"a\"}}\n"),
    ];

    [Theory]
    [MemberData(nameof(Sources))]
    public Task Never_throws(string source) => AssertNeverThrows(source);

    [Fact]
    public Task Ten_thousand_placeholders_never_throw() =>
        AssertNeverThrows("partial class P(PromptRouter r) { [RoutedPrompt(Tier.Small, Prompt = \"" +
            string.Concat(Enumerable.Repeat("{x} and {{y}} ", 10_000)) + "\")] public partial Task<string> A(int x); }");

    private static async Task AssertNeverThrows(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Robustness",
            [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.CSharp12), path: "/p/File.cs")],
            CompilationInputs.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var texts = Files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToImmutableArray();

        var driver = CSharpGeneratorDriver.Create([new RoutedPromptGenerator().AsSourceGenerator()], texts, (CSharpParseOptions)compilation.SyntaxTrees.First().Options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Null(driver.GetRunResult().Results.Single().Exception);

        var analyzed = await output
            .WithAnalyzers([new RoutedPromptsAnalyzer()], new AnalyzerOptions(texts))
            .GetAllDiagnosticsAsync();
        var all = generatorDiagnostics.AddRange(analyzed);
        Assert.DoesNotContain(all, d => d.Id is "CS8785" or "AD0001");
        Assert.DoesNotContain(all, d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }
}
