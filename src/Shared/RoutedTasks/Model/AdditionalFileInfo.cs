namespace RoutedPrompts.Shared
{
    /// <summary>An AdditionalFile's path (separators normalized to '/') and text.</summary>
    internal sealed record AdditionalFileInfo
    {
        public required string Path { get; init; }

        public required string Text { get; init; }
    }
}
