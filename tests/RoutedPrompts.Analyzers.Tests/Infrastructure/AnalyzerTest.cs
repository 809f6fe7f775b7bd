using System.Text;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="RoutedPromptsAnalyzer"/> beside the generator (as a build does) against .NET 8 reference assemblies,
/// Microsoft.Extensions.AI and the runtime, and checks every RoutedPrompts diagnostic of either: the generator reports the
/// shapes it cannot implement (<see cref="DiagnosticDescriptors.IsReportedByGenerator"/>), the analyzer the rest. Compiler
/// diagnostics and the generated sources are not checked here (the generator tests pin those).
/// </summary>
internal sealed class AnalyzerTest : CSharpAnalyzerTest<RoutedPromptsAnalyzer, DefaultVerifier>
{
    public AnalyzerTest(string source, IEnumerable<(string Path, string Text)> additionalFiles, string? editorConfig = null)
    {
        TestCode = source;
        Projects.Configure(TestState, additionalFiles, editorConfig);
        CompilerDiagnostics = CompilerDiagnostics.None;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    /// <summary>Checks the method-shape rules (RP01xx) only, each with its exact location; the RP00xx rules are disabled.</summary>
    public static Task VerifyDiagnosticsAsync(string source, (string Path, string Text)[] additionalFiles, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest(source, additionalFiles);
        test.DisabledDiagnostics.AddRange(Rules.All.Select(r => r.Id));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task VerifyDiagnosticsAsync(string source, params DiagnosticResult[] expected) =>
        VerifyDiagnosticsAsync(source, [], expected);

    /// <summary>Runs the analyzer and checks every diagnostic it reports, with its exact location.</summary>
    public static Task VerifyAsync(string source, IEnumerable<(string Path, string Text)> additionalFiles, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest(source, additionalFiles, editorConfig);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    protected override ParseOptions CreateParseOptions() => Projects.ParseOptions(base.CreateParseOptions());

    protected override CompilationOptions CreateCompilationOptions() => Projects.CompilationOptions(base.CreateCompilationOptions());

    protected override IEnumerable<Type> GetSourceGenerators() => Projects.Generators;
}

/// <summary>The test project's shape, shared by the analyzer and code-fix tests.</summary>
internal static class Projects
{
    public static readonly ReferenceAssemblies Net80WithAi = ReferenceAssemblies.Net.Net80.AddPackages(
        [new PackageIdentity("Microsoft.Extensions.AI.Abstractions", "10.11.0")]);

    /// <summary>The generator, which runs beside the analyzer as in a build (it reports the shapes it cannot implement).</summary>
    public static readonly Type[] Generators = [typeof(Generator.RoutedPromptGenerator)];

    public static void Configure(SolutionState state, IEnumerable<(string Path, string Text)> additionalFiles, string? editorConfig)
    {
        state.ReferenceAssemblies = Net80WithAi;
        state.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(PromptRouter).Assembly.Location));
        foreach (var (path, text) in additionalFiles)
        {
            state.AdditionalFiles.Add((path, SourceText.From(text, Encoding.UTF8)));
        }

        if (editorConfig is not null)
        {
            var name = editorConfig.StartsWith("is_global", StringComparison.Ordinal) ? "/.globalconfig" : "/.editorconfig";
            state.AnalyzerConfigFiles.Add((name, SourceText.From(editorConfig, Encoding.UTF8)));
        }
    }

    public static ParseOptions ParseOptions(ParseOptions options) =>
        ((CSharpParseOptions)options).WithLanguageVersion(LanguageVersion.CSharp12);

    public static CompilationOptions CompilationOptions(CompilationOptions options) =>
        ((CSharpCompilationOptions)options).WithNullableContextOptions(NullableContextOptions.Enable);
}
