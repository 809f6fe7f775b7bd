using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>A source position, re-materialized by the analyzers (<c>ProjectInputs.ToLocation</c>).</summary>
    internal sealed record LocationInfo
    {
        public required string FilePath { get; init; }

        public required TextSpan Span { get; init; }

        public required LinePositionSpan LineSpan { get; init; }

        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo { FilePath = location.SourceTree.FilePath, Span = location.SourceSpan, LineSpan = location.GetLineSpan().Span };

        public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

        /// <summary>
        /// The Roslyn location: in the syntax tree of <paramref name="compilation"/> with this path when there is one (so
        /// code fixes and suppressions work), else in the file under <paramref name="externalPath"/> (default: this path).
        /// </summary>
        public Location ToLocation(Compilation compilation, string? externalPath = null)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath)
                {
                    return Location.Create(tree, Span);
                }
            }

            return Location.Create(externalPath ?? FilePath, Span, LineSpan);
        }
    }
}
