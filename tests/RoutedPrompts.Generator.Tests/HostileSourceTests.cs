using System.Text;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// Sources an attacker or a careless user writes: the generator never throws, and what it emits compiles and emits IL
/// (the compiled assembly is what a user ships, so these tests go as far as <see cref="Compilation.Emit(Stream, Stream?, Stream?, Stream?, IEnumerable{ResourceDescription}?, EmitOptions?, IMethodSymbol?, Stream?, IEnumerable{EmbeddedText}?, Stream?, CancellationToken)"/>).
/// </summary>
public sealed class HostileSourceTests
{
    private const string Usings = "using System.Threading; using System.Threading.Tasks; using RoutedPrompts;\n";

    /// <summary>Runs the generator and emits the compilation; returns the generated type files' text.</summary>
    private static string GenerateAndEmit(string source)
    {
        var compilation = GeneratorDriverHelper.Compile([Usings + source]);
        var driver = GeneratorDriverHelper.CreateDriver([]).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(driverDiagnostics);

        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        Assert.Empty(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        Assert.True(emitted.Success);
        return string.Concat(result.GeneratedSources.Where(s => s.HintName.EndsWith(".RoutedPrompts.g.cs", StringComparison.Ordinal)).Select(s => s.SourceText.ToString()));
    }

    private static string ValueOf(string literal) => ((LiteralExpressionSyntax)SyntaxFactory.ParseExpression(literal)).Token.ValueText;

    // The expected value is what Roslyn makes of the escapes (xunit's attribute data cannot hold a lone surrogate).
    [Theory]
    [InlineData("\\uD83D\\uDE00 {x}")] // an emoji as an escaped surrogate pair
    [InlineData("\\U0001F600 {x}")] // the same emoji as one \U escape
    [InlineData("\\xD800{x}")] // a lone high surrogate, \x form
    [InlineData("{x}\\uDC00")] // a lone low surrogate at the end
    [InlineData("\\uDE00\\uD83D{x}")] // a reversed pair: two lone halves
    [InlineData("\\U0000D800{x}")] // a lone surrogate as a \U escape
    public void SurrogateEscapesInThePromptAreGeneratedAsTheirValue(string escaped)
    {
        var generated = GenerateAndEmit("public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"" + escaped + "\")] public partial Task<string> A(string x); }");

        var template = generated.Split('\n').Single(l => l.TrimStart().StartsWith("Template = ", StringComparison.Ordinal)).Trim();
        Assert.Equal(ValueOf("\"" + escaped + "\""), ValueOf(template["Template = ".Length..^1]));
    }

    [Fact]
    public void Ten_thousand_placeholders_compile_as_statements_not_a_chain()
    {
        var prompt = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            prompt.Append("item ").Append(i).Append(": {x}\\n");
        }

        var generated = GenerateAndEmit("public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"" + prompt + "\")] public partial Task<string> A(int x); }");

        // One statement a part: the compiler's recursion does not grow with the template.
        Assert.Equal(20_001, generated.Split('\n').Count(l => l.TrimStart().StartsWith("__builder.Append(", StringComparison.Ordinal)));
    }

    public static TheoryData<string> GeneratedNames() => ["__prompt", "__messages", "__routed", "__builder", "router", "__RoutedPrompt_A", "_____prompt"];

    [Theory]
    [MemberData(nameof(GeneratedNames))]
    public void Parameters_named_like_generated_locals_or_the_router_compile(string name) =>
        GenerateAndEmit("public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"a {" + name + "} b {" + name + "} c {y}\")] public partial Task<string> A(string " + name + ", int y, CancellationToken cancellationToken); }");

    [Fact]
    public void All_generated_names_as_parameters_at_once_compile() =>
        GenerateAndEmit("public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{__prompt}{__messages}{__routed}{__builder}{router}{__RoutedPrompt_A}\")] " +
            "public partial Task<Routed<string>> A(string __prompt, string __messages, string __routed, string __builder, string router, string __RoutedPrompt_A); }");

    [Fact]
    public void A_parameter_hiding_the_router_still_routes_through_the_router()
    {
        var generated = GenerateAndEmit("""
            public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = "{router}")] public partial Task<string> A(int router); }
            public static partial class S { static PromptRouter Shared = null!; [RoutedPrompt(Tier.Small, Prompt = "{Shared}")] public static partial Task<string> B(string Shared); }
            """);

        Assert.Contains("private global::RoutedPrompts.PromptRouter __RoutedPrompt_A_Router => router;", generated, StringComparison.Ordinal);
        Assert.Contains("await this.__RoutedPrompt_A_Router.RouteAsync(", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_failure_becomes_RP0199_on_its_method_alone()
    {
        var compilation = GeneratorDriverHelper.Compile([Usings + "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); }"]);
        var method = compilation.GetSymbolsWithName("A").OfType<IMethodSymbol>().Single();
        var syntax = (MethodDeclarationSyntax)method.DeclaringSyntaxReferences[0].GetSyntax();

        var parsed = Parser.Parse(method, syntax, new ThrowingAttribute(method), compilation, CancellationToken.None)!;

        Assert.Null(parsed.Model);
        var failure = Assert.Single(parsed.Diagnostics);
        Assert.Equal(DiagnosticDescriptors.InternalFailure.Id, failure.Id);
        Assert.Equal(syntax.Identifier.Span, failure.Location!.Span);
        Assert.Equal(["A", "InvalidOperationException: a parser bug"], failure.Arguments);

        // Resolving fails the same way (here: a broken AdditionalFiles list), keeping what was found before.
        var good = Parser.Parse(method, syntax, method.GetAttributes().Single(), compilation, CancellationToken.None)!;
        var resolved = Parser.Resolve(good with { PromptFile = "p.txt" }, new EquatableArray<AdditionalFileInfo>([null!]));
        Assert.Null(resolved.Model);
        Assert.Equal(["A", "NullReferenceException"], resolved.Diagnostics.Single(d => d.Id == DiagnosticDescriptors.InternalFailure.Id).Arguments.Select(a => a.Split(':')[0]));
    }

    [Fact]
    public void Cancellation_is_not_turned_into_a_diagnostic()
    {
        var compilation = GeneratorDriverHelper.Compile([Usings + "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"x\")] public partial Task<string> A(); }"]);
        var method = compilation.GetSymbolsWithName("A").OfType<IMethodSymbol>().Single();
        var syntax = (MethodDeclarationSyntax)method.DeclaringSyntaxReferences[0].GetSyntax();

        Assert.Throws<OperationCanceledException>(() => Parser.Parse(method, syntax, new ThrowingAttribute(method, new OperationCanceledException()), compilation, CancellationToken.None));
    }

    /// <summary>Attribute data whose arguments throw, standing in for any bug the parser may meet.</summary>
    private sealed class ThrowingAttribute(IMethodSymbol constructor, Exception? exception = null) : AttributeData
    {
        protected override INamedTypeSymbol? CommonAttributeClass => null;

        protected override IMethodSymbol? CommonAttributeConstructor => constructor;

        protected override SyntaxReference? CommonApplicationSyntaxReference => null;

        protected override ImmutableArray<TypedConstant> CommonConstructorArguments => throw exception ?? new InvalidOperationException("a parser bug");

        protected override ImmutableArray<KeyValuePair<string, TypedConstant>> CommonNamedArguments => throw exception ?? new InvalidOperationException("a parser bug");
    }
}
