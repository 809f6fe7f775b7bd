namespace RoutedPrompts.Shared
{
    /// <summary>A parameter of the routed method.</summary>
    internal sealed record ParameterInfo
    {
        /// <summary>The name as written in C# (escaped with @ where needed).</summary>
        public required string Name { get; init; }

        /// <summary>The name placeholders use (no @).</summary>
        public required string PlainName { get; init; }

        /// <summary>The parameter as declared in the implementation, e.g. <c>params int[] values</c>.</summary>
        public required string Declaration { get; init; }

        public required ParameterRole Role { get; init; }

        /// <summary>Whether the argument is already a string (rendered without <c>PromptText.Format</c>).</summary>
        public required bool IsString { get; init; }

        /// <summary>The type as <c>typeof()</c> takes it (fully qualified, no nullable reference annotation).</summary>
        public required string TypeOfName { get; init; }

        /// <summary>The type as declared, with nullable reference annotations.</summary>
        public required string TypeName { get; init; }
    }
}
