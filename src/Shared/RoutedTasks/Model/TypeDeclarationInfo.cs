namespace RoutedPrompts.Shared
{
    /// <summary>One type of the containing-type chain, outermost first.</summary>
    internal sealed record TypeDeclarationInfo
    {
        /// <summary>Modifiers and keyword, e.g. <c>public sealed partial record class</c>.</summary>
        public required string Declaration { get; init; }

        /// <summary>The type's name with its type parameters.</summary>
        public required string Name { get; init; }

        /// <summary>The type's name as it may appear in a file name.</summary>
        public required string HintName { get; init; }
    }
}
