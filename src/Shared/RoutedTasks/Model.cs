using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Shared
{
    // The pipeline's models: plain equatable records. No ISymbol, SyntaxNode, Location or SemanticModel is kept, so the
    // incremental driver can compare them between runs and cache everything downstream.

    /// <summary>A source position, re-materialized by the analyzers (<c>ProjectInputs.ToLocation</c>).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

        /// <summary>
        /// The Roslyn location: in the syntax tree of <paramref name="compilation"/> with this path when there is one (so
        /// code fixes and suppressions work), else in the file under <paramref name="externalPath"/> (default: this path).
        /// </summary>
        public Location ToLocation(Compilation compilation, string? externalPath = null)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath)
                {
                    return Location.Create(tree, Span);
                }
            }

            return Location.Create(externalPath ?? FilePath, Span, LineSpan);
        }
    }

    /// <summary>A diagnostic to report: the rule's id, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new(descriptor.Id, location, new EquatableArray<string>(arguments));

        /// <summary>The diagnostic, located in <paramref name="compilation"/> (see <see cref="LocationInfo.ToLocation"/>).</summary>
        public Diagnostic ToDiagnostic(Compilation compilation, ImmutableDictionary<string, string?>? properties = null, string? externalPath = null) =>
            Diagnostic.Create(DiagnosticDescriptors.Get(Id), Location?.ToLocation(compilation, externalPath) ?? Microsoft.CodeAnalysis.Location.None, properties, Arguments.ToArray<object>());
    }

    /// <summary>An AdditionalFile's path (separators normalized to '/') and text.</summary>
    internal sealed record AdditionalFileInfo(string Path, string Text);

    /// <summary>One type of the containing-type chain, outermost first.</summary>
    /// <param name="Declaration">Modifiers and keyword, e.g. <c>public sealed partial record class</c>.</param>
    /// <param name="Name">The type's name with its type parameters.</param>
    /// <param name="HintName">The type's name as it may appear in a file name.</param>
    internal sealed record TypeDeclarationInfo(string Declaration, string Name, string HintName);

    internal enum ParameterRole
    {
        /// <summary>Rendered into the template.</summary>
        Bindable,

        /// <summary>A CancellationToken passed to the router.</summary>
        CancellationToken,

        /// <summary>A PromptRouter the request goes through.</summary>
        Router,
    }

    /// <summary>A parameter of the routed method.</summary>
    /// <param name="Name">The name as written in C# (escaped with @ where needed).</param>
    /// <param name="PlainName">The name placeholders use (no @).</param>
    /// <param name="Declaration">The parameter as declared in the implementation, e.g. <c>params int[] values</c>.</param>
    /// <param name="IsString">Whether the argument is already a string (rendered without <c>PromptText.Format</c>).</param>
    /// <param name="TypeOfName">The type as <c>typeof()</c> takes it (no nullable reference annotations).</param>
    /// <param name="TypeName">The type as declared, with nullable reference annotations.</param>
    internal sealed record ParameterInfo(string Name, string PlainName, string Declaration, ParameterRole Role, bool IsString, string TypeOfName, string TypeName);

    /// <summary>A piece of a parsed template: literal text, or a parameter reference.</summary>
    internal sealed record TemplatePart(string? Literal, string? ParameterName, bool IsString);

    internal enum ReturnShape
    {
        Task,
        ValueTask,
        TaskOfRouted,
        ValueTaskOfRouted,
    }

    /// <summary>Everything the emitter needs for one routed method.</summary>
    /// <param name="RouterExpression">How the method reaches its PromptRouter: a parameter, <c>this.</c> member, type-qualified static member or primary-constructor parameter.</param>
    /// <param name="RouterCapture">The primary-constructor parameter a parameter of the method hides: the emitter reaches it through an accessor.</param>
    internal sealed record TaskModel(
        string Namespace,
        EquatableArray<TypeDeclarationInfo> ContainingTypes,
        string ContainingTypeFullName,
        string ContainingTypeReference,
        string MethodName,
        string FieldName,
        string MethodModifiers,
        string ReturnType,
        EquatableArray<ParameterInfo> Parameters,
        ReturnShape Shape,
        string ResultType,
        bool IsText,
        string? RouterExpression,
        string? RouterCapture,
        string? CancellationTokenName,
        bool HasErrors,
        TaskDescriptor? Descriptor,
        EquatableArray<TemplatePart> Template,
        EquatableArray<JsonTypeDef> JsonTypes)
    {
        public string HintName => (Namespace.Length == 0 ? string.Empty : Namespace + ".") + string.Join(".", ContainingTypes.Select(t => t.HintName));
    }

    /// <summary>The values of the generated <c>RoutedTask&lt;T&gt;</c> descriptor.</summary>
    internal sealed record TaskDescriptor(
        string Name,
        int Tier,
        int MaxTier,
        string? Instructions,
        string Template,
        string? PromptFile,
        EquatableArray<string> BoundParameters,
        string? SchemaJson,
        string? SchemaFile,
        string? EvalSet,
        string PromptHash,
        string? SchemaHash,
        double? ConfidenceThreshold,
        string? ConverterName,
        string? ValidatorMethod,
        string? ValidatorType,
        LockBaking? Lock = null);

    /// <summary>
    /// What the generator baked from a current <c>routedprompts.lock.json</c> entry: the attribute's start tier (the
    /// floor), the entry's start tier, and the per-tier confidence thresholds.
    /// </summary>
    internal sealed record LockBaking(int AttributeTier, int? StartTier, EquatableArray<TierThreshold> Thresholds);

    /// <summary>A calibrated minimum confidence for one tier.</summary>
    internal sealed record TierThreshold(int Tier, double Threshold);

    /// <summary>A task's entry in the lock file, by task name (the generator's lock input).</summary>
    internal sealed record LockedTask(string Name, LockEntry Entry);

    internal enum JsonKind
    {
        String,
        Boolean,
        Integer,
        Number,
        DateTime,
        DateTimeOffset,
        DateOnly,
        TimeOnly,
        Guid,
        Uri,
        Enum,
        Object,
        Array,
        Dictionary,
    }

    internal enum CollectionShape
    {
        None,
        Array,
        List,
        HashSet,
        Dictionary,
    }

    /// <summary>How a value of some type is read and written, and what its schema is.</summary>
    /// <param name="TypeName">Fully qualified C# type without a top-level nullable annotation.</param>
    /// <param name="ReaderSuffix">For primitives, the <c>Utf8JsonReader.GetXxx</c> suffix.</param>
    /// <param name="Element">The element (array) or value (dictionary) type.</param>
    /// <param name="DefinitionKey">For objects and enums, the key (converter class name) of the <see cref="JsonTypeDef"/>.</param>
    internal sealed record JsonTypeRef(
        JsonKind Kind,
        string TypeName,
        bool IsNullable,
        bool IsValueType,
        string? ReaderSuffix,
        JsonTypeRef? Element,
        string? DefinitionKey,
        CollectionShape Shape)
    {
        public string Display => IsNullable ? TypeName + "?" : TypeName;
    }

    /// <summary>Schema keywords from DataAnnotations and [Description].</summary>
    internal sealed record JsonConstraints(string? Description, string? Minimum, string? Maximum, int? MinLength, int? MaxLength, string? Pattern)
    {
        public static readonly JsonConstraints None = new(null, null, null, null, null, null);
    }

    internal enum MemberAssignment
    {
        /// <summary>Set only through the constructor.</summary>
        Constructor,

        /// <summary>An init-only (or required) member, set in the object initializer.</summary>
        Init,

        /// <summary>A settable member, set after construction when present.</summary>
        Set,
    }

    /// <summary>A serialized member of an object type.</summary>
    internal sealed record JsonPropertyDef(
        string MemberName,
        string JsonName,
        JsonTypeRef Type,
        bool Required,
        int ConstructorIndex,
        MemberAssignment Assignment,
        string? DefaultValue,
        JsonConstraints Constraints);

    /// <summary>An object or enum type that gets a generated converter.</summary>
    internal sealed record JsonTypeDef(
        string Key,
        string TypeName,
        string SchemaName,
        bool IsEnum,
        bool IsValueType,
        string? Description,
        EquatableArray<JsonPropertyDef> Properties,
        int ConstructorParameterCount,
        EquatableArray<string> EnumMembers,
        EquatableArray<string> EnumWriteMembers);
}
