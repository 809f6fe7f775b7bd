namespace RoutedPrompts.Shared
{
    /// <summary>How a value of some type is read and written, and what its schema is.</summary>
    internal sealed record JsonTypeRef
    {
        public required JsonKind Kind { get; init; }

        /// <summary>Fully qualified C# type without a top-level nullable annotation.</summary>
        public required string TypeName { get; init; }

        public required bool IsNullable { get; init; }

        public required bool IsValueType { get; init; }

        /// <summary>For primitives, the <c>Utf8JsonReader.GetXxx</c> suffix.</summary>
        public required string? ReaderSuffix { get; init; }

        /// <summary>The element (array) or value (dictionary) type.</summary>
        public required JsonTypeRef? Element { get; init; }

        /// <summary>For objects and enums, the key (converter class name) of the <see cref="JsonTypeDef"/>.</summary>
        public required string? DefinitionKey { get; init; }

        public required CollectionShape Shape { get; init; }

        public string Display => IsNullable ? TypeName + "?" : TypeName;
    }
}
