// Compiled into the generator and analyzer test projects (linked, not a project): what a compilation under test is
// built from when the tests drive Roslyn directly rather than through Microsoft.CodeAnalysis.Testing.
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Tests.Shared;

/// <summary>References of the running framework, the runtime and Microsoft.Extensions.AI; in-memory AdditionalFiles.</summary>
internal static class CompilationInputs
{
    private static readonly Lazy<MetadataReference[]> LazyReferences = new(BuildReferences);

    public static MetadataReference[] References => LazyReferences.Value;

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
}

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _source = SourceText.From(text);

    public override string Path => path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _source;
}
