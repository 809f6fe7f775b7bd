namespace RoutedPrompts.Shared
{
    /// <summary>Schema keywords from DataAnnotations and [Description].</summary>
    internal sealed record JsonConstraints
    {
        public required string? Description { get; init; }

        public required string? Minimum { get; init; }

        public required string? Maximum { get; init; }

        public required int? MinLength { get; init; }

        public required int? MaxLength { get; init; }

        public required string? Pattern { get; init; }

        public static readonly JsonConstraints None = new() { Description = null, Minimum = null, Maximum = null, MinLength = null, MaxLength = null, Pattern = null };
    }
}
