using RoutedPrompts.Tests.Shared;

namespace RoutedPrompts.Generator.Tests.Infrastructure;

/// <summary>Runs the generator in-process with <see cref="CSharpGeneratorDriver"/> against the running framework.</summary>
internal static class GeneratorDriverHelper
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public static CSharpCompilation Compile(IEnumerable<string> sources) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            CompilationInputs.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IEnumerable<(string Path, string Text)> additionalFiles, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new RoutedPromptGenerator().AsSourceGenerator()],
            additionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)),
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once; returns its result and the diagnostics of the compilation with the generated code.</summary>
    public static (GeneratorRunResult Result, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<SyntaxTree> GeneratedTrees) Run(
        IEnumerable<string> sources, IEnumerable<(string Path, string Text)>? additionalFiles = null)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver(additionalFiles ?? []).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        return (result, driverDiagnostics.AddRange(output.GetDiagnostics()), result.GeneratedSources.Select(s => s.SyntaxTree).ToImmutableArray());
    }
}
