namespace RoutedPrompts.Generator
{
    /// <summary>An eval set as the generator needs it: its path and <see cref="Shared.RoutedTaskHashing.EvalSetHash"/>, not its rows.</summary>
    internal sealed record EvalSetFile
    {
        public required string Path { get; init; }

        public required string Hash { get; init; }
    }
}
