using System.Threading;
using Microsoft.CodeAnalysis;

namespace RoutedPrompts.Shared
{
    /// <summary>An AdditionalFile's path (separators normalized to '/') and text.</summary>
    internal sealed record AdditionalFileInfo
    {
        public required string Path { get; init; }

        public required string Text { get; init; }

        /// <summary>The file as the generator reads it: an unreadable file is empty.</summary>
        public static AdditionalFileInfo Read(AdditionalText file, CancellationToken cancellationToken) =>
            new() { Path = Parser.NormalizePath(file.Path), Text = file.GetText(cancellationToken)?.ToString() ?? string.Empty };
    }
}
