namespace RoutedPrompts.Shared
{
    /// <summary>An object or enum type that gets a generated converter.</summary>
    internal sealed record JsonTypeDef
    {
        public required string Key { get; init; }

        public required string TypeName { get; init; }

        public required string SchemaName { get; init; }

        public required bool IsEnum { get; init; }

        public required bool IsValueType { get; init; }

        public required string? Description { get; init; }

        public required EquatableArray<JsonPropertyDef> Properties { get; init; }

        public required int ConstructorParameterCount { get; init; }

        public required EquatableArray<string> EnumMembers { get; init; }

        public required EquatableArray<string> EnumWriteMembers { get; init; }
    }
}
