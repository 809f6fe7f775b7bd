using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Generator.Tests.Infrastructure;

/// <summary>Runs the generator in-process with <see cref="CSharpGeneratorDriver"/> against the running framework.</summary>
internal static class GeneratorDriverHelper
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly MetadataReference[] References = BuildReferences();

    public static CSharpCompilation Compile(IEnumerable<string> sources) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            References,
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

    private static MetadataReference[] BuildReferences()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.StartsWith(runtimeDirectory, StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        return framework
            .Append(typeof(PromptRouter).Assembly.Location)
            .Append(typeof(Microsoft.Extensions.AI.ChatMessage).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText source = SourceText.From(text);

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => source;
    }
}
