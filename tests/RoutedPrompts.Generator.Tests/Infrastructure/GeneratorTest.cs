using System.Text;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Generator.Tests.Infrastructure;

/// <summary>A source generator test against .NET 8 reference assemblies, Microsoft.Extensions.AI and the runtime.</summary>
internal sealed class GeneratorTest : CSharpSourceGeneratorTest<RoutedPromptGenerator, DefaultVerifier>
{
    private static readonly ReferenceAssemblies Net80WithAi = ReferenceAssemblies.Net.Net80.AddPackages(
        [new PackageIdentity("Microsoft.Extensions.AI.Abstractions", "10.11.0")]);

    public GeneratorTest(string source, params (string Path, string Text)[] additionalFiles)
    {
        ReferenceAssemblies = Net80WithAi;
        TestCode = source;
        TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(PromptRouter).Assembly.Location));
        foreach (var (path, text) in additionalFiles)
        {
            TestState.AdditionalFiles.Add((path, SourceText.From(text, Encoding.UTF8)));
        }
    }

    /// <summary>Runs the generator and checks only the diagnostics (generated sources must still compile).</summary>
    public static Task VerifyDiagnosticsAsync(string source, (string Path, string Text)[] additionalFiles, params DiagnosticResult[] expected)
    {
        var test = new GeneratorTest(source, additionalFiles) { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task VerifyDiagnosticsAsync(string source, params DiagnosticResult[] expected) =>
        VerifyDiagnosticsAsync(source, [], expected);

    /// <summary>
    /// Checks the exact generated files against the snapshots in <c>Snapshots/<paramref name="name"/>/</c> and that the
    /// result compiles without errors or warnings. Set <c>UPDATE_SNAPSHOTS=1</c> to (re)write the snapshots.
    /// </summary>
    public static async Task VerifySnapshotAsync(string name, string source, params (string Path, string Text)[] additionalFiles)
    {
        var directory = Path.Combine(Snapshots.Directory, name);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            Snapshots.Write(directory, GeneratorDriverHelper.Run([source], additionalFiles).GeneratedTrees);
        }

        var test = new GeneratorTest(source, additionalFiles) { CompilerDiagnostics = CompilerDiagnostics.Warnings };
        foreach (var file in Directory.GetFiles(directory, "*.cs.txt").OrderBy(f => f, StringComparer.Ordinal))
        {
            var hintName = Path.GetFileName(file)[..^".txt".Length];
            test.TestState.GeneratedSources.Add((typeof(RoutedPromptGenerator), hintName, SourceText.From(File.ReadAllText(file), Encoding.UTF8)));
        }

        await test.RunAsync();
    }

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.CSharp12);

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions())
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions([new KeyValuePair<string, ReportDiagnostic>("CS1591", ReportDiagnostic.Suppress)]);
}
