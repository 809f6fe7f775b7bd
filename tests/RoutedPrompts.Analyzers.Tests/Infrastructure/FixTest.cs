using System.Text;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Analyzers.Tests.Infrastructure;

/// <summary>
/// A code-fix test: before and after (the single fix and fix-all), with only the fix's own rules enabled so the
/// other rules' findings on the same snippet do not have to be listed. The generator runs beside the analyzer, as in a
/// build: some rules are its diagnostics (<see cref="DiagnosticDescriptors.IsReportedByGenerator"/>).
/// </summary>
internal sealed class FixTest<TFix> : CSharpCodeFixTest<RoutedPromptsAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    public FixTest(string source, string fixedSource, IEnumerable<(string Path, string Text)> additionalFiles)
    {
        TestCode = source;
        FixedCode = fixedSource;
        CompilerDiagnostics = CompilerDiagnostics.None;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        var files = additionalFiles.ToList();
        Projects.Configure(TestState, files, null);
        foreach (var (path, text) in files)
        {
            FixedState.AdditionalFiles.Add((path, SourceText.From(text, Encoding.UTF8)));
        }

        var fixable = new TFix().FixableDiagnosticIds;
        DisabledDiagnostics.AddRange(Rules.All.Select(r => r.Id).Concat(DiagnosticDescriptors.All.Select(d => d.Id)).Where(id => !fixable.Contains(id)));
    }

    public static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected) =>
        VerifyAsync(source, fixedSource, [], [], expected);

    /// <summary>As <see cref="VerifyAsync(string, string, DiagnosticResult[])"/>, with diagnostics the fix leaves (it does not apply to them).</summary>
    public static Task VerifyAsync(string source, string fixedSource, DiagnosticResult[] expected, DiagnosticResult[] remaining)
    {
        var test = new FixTest<TFix>(source, fixedSource, []);
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining);
        test.BatchFixedState.ExpectedDiagnostics.AddRange(remaining);
        return test.RunAsync();
    }

    public static Task VerifyAsync(
        string source,
        string fixedSource,
        (string Path, string Text)[] additionalFiles,
        (string Path, string Text)[] addedFiles,
        params DiagnosticResult[] expected)
    {
        var test = new FixTest<TFix>(source, fixedSource, additionalFiles);
        foreach (var (path, text) in addedFiles)
        {
            test.FixedState.AdditionalFiles.Add((path, SourceText.From(text, Encoding.UTF8)));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    protected override ParseOptions CreateParseOptions() => Projects.ParseOptions(base.CreateParseOptions());

    protected override CompilationOptions CreateCompilationOptions() => Projects.CompilationOptions(base.CreateCompilationOptions());

    protected override IEnumerable<Type> GetSourceGenerators() => Projects.Generators;
}
