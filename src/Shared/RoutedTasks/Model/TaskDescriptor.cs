namespace RoutedPrompts.Shared
{
    /// <summary>The values of the generated <c>RoutedTask&lt;T&gt;</c> descriptor.</summary>
    internal sealed record TaskDescriptor
    {
        public required string Name { get; init; }

        public required int Tier { get; init; }

        public required int MaxTier { get; init; }

        public required string? Instructions { get; init; }

        public required string Template { get; init; }

        public required string? PromptFile { get; init; }

        public required EquatableArray<string> BoundParameters { get; init; }

        public required string? SchemaJson { get; init; }

        public required string? SchemaFile { get; init; }

        public required string? EvalSet { get; init; }

        public required string PromptHash { get; init; }

        public required string? SchemaHash { get; init; }

        public required double? ConfidenceThreshold { get; init; }

        public required string? ConverterName { get; init; }

        public required string? ValidatorMethod { get; init; }

        public required string? ValidatorType { get; init; }

        /// <summary>What was baked from a current lock entry, if anything (set by the generator's <c>LockBaker</c>).</summary>
        public LockBaking? Lock { get; init; }
    }
}
