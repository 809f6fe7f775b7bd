using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// Half-typed and unusual code never makes the generator throw (no CS8785 or AD0001), and what it emits for it never
/// adds errors of its own.
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
    ];

    [Theory]
    [MemberData(nameof(Sources))]
    public void NeverThrows(string source)
    {
        var (result, diagnostics, _) = GeneratorDriverHelper.Run([Usings + source], [("/p/s.json", "{"), ("/p/p.txt", "{x")]);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8785" or "AD0001");
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }
}
