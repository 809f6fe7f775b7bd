namespace RoutedPrompts.Shared
{
    /// <summary>A serialized member of an object type.</summary>
    internal sealed record JsonPropertyDef
    {
        public required string MemberName { get; init; }

        public required string JsonName { get; init; }

        public required JsonTypeRef Type { get; init; }

        public required bool Required { get; init; }

        public required int ConstructorIndex { get; init; }

        public required MemberAssignment Assignment { get; init; }

        public required string? DefaultValue { get; init; }

        public required JsonConstraints Constraints { get; init; }
    }
}
