using System.Linq;

// The pipeline's models (this folder, one per file): plain equatable records with required init members. No ISymbol,
// SyntaxNode, Location or SemanticModel is kept, so the incremental driver can compare them between runs and cache
// everything downstream.
namespace RoutedPrompts.Shared
{
    /// <summary>Everything the emitter needs for one routed method.</summary>
    internal sealed record TaskModel
    {
        public required string Namespace { get; init; }

        public required EquatableArray<TypeDeclarationInfo> ContainingTypes { get; init; }

        public required string ContainingTypeFullName { get; init; }

        public required string ContainingTypeReference { get; init; }

        public required string MethodName { get; init; }

        public required string FieldName { get; init; }

        public required string MethodModifiers { get; init; }

        public required string ReturnType { get; init; }

        public required EquatableArray<ParameterInfo> Parameters { get; init; }

        public required ReturnShape Shape { get; init; }

        public required string ResultType { get; init; }

        public required bool IsText { get; init; }

        /// <summary>How the method reaches its PromptRouter: a parameter, <c>this.</c> member, type-qualified static member or primary-constructor parameter.</summary>
        public required string? RouterExpression { get; init; }

        /// <summary>The primary-constructor parameter a parameter of the method hides: the emitter reaches it through an accessor.</summary>
        public required string? RouterCapture { get; init; }

        public required string? CancellationTokenName { get; init; }

        /// <summary>The RouteContext parameter passed to the router (as written in C#), or <see langword="null"/> when the method takes none.</summary>
        public required string? ContextName { get; init; }

        public required bool HasErrors { get; init; }

        public required TaskDescriptor? Descriptor { get; init; }

        public required EquatableArray<TemplatePart> Template { get; init; }

        public required EquatableArray<JsonTypeDef> JsonTypes { get; init; }

        public string HintName => (Namespace.Length == 0 ? string.Empty : Namespace + ".") + string.Join(".", ContainingTypes.Select(t => t.HintName));
    }
}
