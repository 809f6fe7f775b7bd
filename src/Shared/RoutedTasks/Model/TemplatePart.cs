namespace RoutedPrompts.Shared
{
    /// <summary>A piece of a parsed template: literal text, or a parameter reference.</summary>
    internal sealed record TemplatePart
    {
        public required string? Literal { get; init; }

        public required string? ParameterName { get; init; }

        public required bool IsString { get; init; }
    }
}
