using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// The method-shape rules (<c>RP0100</c>…; <c>RP00xx</c> belongs to the analyzers), found by the parser the generator
    /// and the analyzers share; <see cref="IsReportedByGenerator"/> says which of the two reports each.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public const string Category = "RoutedPrompts";

        internal const string HelpPrefix = "https://github.com/routedprompts/routedprompts/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor MethodMustBePartial = new DiagnosticDescriptor(
            "RP0100", "Routed prompt method must be a partial declaration without a body",
            "Method '{0}' must be a partial method declaration without a body; the RoutedPrompts generator writes its implementation",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0100.md");

        public static readonly DiagnosticDescriptor TypeMustBePartial = new DiagnosticDescriptor(
            "RP0101", "Type containing a routed prompt must be partial",
            "Type '{0}' must be declared partial (in every declaration) because it contains the routed prompt method '{1}'",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0101.md");

        public static readonly DiagnosticDescriptor GenericMethod = new DiagnosticDescriptor(
            "RP0102", "Routed prompt method cannot be generic",
            "Method '{0}' cannot be generic; routed prompts need a result type known at compile time",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0102.md");

        public static readonly DiagnosticDescriptor ByRefParameter = new DiagnosticDescriptor(
            "RP0103", "Routed prompt parameter cannot be ref, out or in",
            "Parameter '{0}' of method '{1}' cannot be passed by reference (ref, out, in or ref readonly)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0103.md");

        public static readonly DiagnosticDescriptor UnsupportedReturnType = new DiagnosticDescriptor(
            "RP0104", "Unsupported routed prompt return type",
            "Method '{0}' returns '{1}'; a routed prompt must return Task<T>, ValueTask<T>, Task<Routed<T>> or ValueTask<Routed<T>> where T is string or a class, record or struct",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0104.md");

        public static readonly DiagnosticDescriptor MissingTemplate = new DiagnosticDescriptor(
            "RP0105", "Routed prompt needs exactly one template",
            "Method '{0}' must set exactly one of Prompt and PromptFile on its [RoutedPrompt] attribute",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0105.md");

        public static readonly DiagnosticDescriptor PromptFileNotFound = new DiagnosticDescriptor(
            "RP0106", "Prompt file is not an additional file",
            "Prompt file '{0}' of method '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{0}\" /> to the project",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0106.md");

        public static readonly DiagnosticDescriptor UnknownPlaceholder = new DiagnosticDescriptor(
            "RP0107", "Template placeholder does not match a parameter",
            "Placeholder '{{{0}}}' in the prompt of method '{1}' does not match any parameter that can be rendered",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0107.md");

        public static readonly DiagnosticDescriptor UnmatchedBrace = new DiagnosticDescriptor(
            "RP0108", "Unmatched brace in template",
            "Unmatched '{0}' in the prompt of method '{1}'; write '{0}{0}' for a literal brace",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0108.md");

        public static readonly DiagnosticDescriptor UnusedParameter = new DiagnosticDescriptor(
            "RP0109", "Parameter is not used by the template",
            "Parameter '{0}' of method '{1}' is not used by the prompt template",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0109.md");

        public static readonly DiagnosticDescriptor RouterNotFound = new DiagnosticDescriptor(
            "RP0110", "No PromptRouter available",
            "Method '{0}' cannot reach a PromptRouter; add a PromptRouter parameter, or a field, property or primary-constructor parameter of type PromptRouter to '{1}'{2}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0110.md");

        public static readonly DiagnosticDescriptor MultipleRouters = new DiagnosticDescriptor(
            "RP0111", "More than one PromptRouter available",
            "Method '{0}' can reach more than one PromptRouter ({1}); keep exactly one",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0111.md");

        public static readonly DiagnosticDescriptor InvalidValidator = new DiagnosticDescriptor(
            "RP0112", "Validator must be a static bool method of the containing type",
            "Validator '{0}' of method '{1}' must name a 'static bool {0}({2})' method of '{3}'",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0112.md");

        public static readonly DiagnosticDescriptor InvalidValidatorType = new DiagnosticDescriptor(
            "RP0113", "ValidatorType must implement IResultValidator<T>",
            "ValidatorType '{0}' of method '{1}' must be a non-abstract class implementing IResultValidator<{2}>",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0113.md");

        public static readonly DiagnosticDescriptor SchemaFileNotFound = new DiagnosticDescriptor(
            "RP0114", "Schema file is not an additional file",
            "Schema file '{0}' of method '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{0}\" /> to the project",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0114.md");

        public static readonly DiagnosticDescriptor SchemaFileInvalid = new DiagnosticDescriptor(
            "RP0115", "Schema file is not a valid JSON Schema",
            "Schema file '{0}' of method '{1}' is not a valid JSON Schema: {2}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0115.md");

        public static readonly DiagnosticDescriptor UnserializableMember = new DiagnosticDescriptor(
            "RP0116", "Result type member cannot be serialized",
            "Member '{0}' of result type '{1}' has type '{2}', which the generated JSON converter cannot handle: {3}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0116.md");

        public static readonly DiagnosticDescriptor InaccessibleResultType = new DiagnosticDescriptor(
            "RP0117", "Result type must be accessible within the assembly",
            "Type '{0}' used by the result of method '{1}' must be accessible within its assembly (not private, protected or file-local) so the generated JSON converter can use it",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0117.md");

        public static readonly DiagnosticDescriptor InvalidTierRange = new DiagnosticDescriptor(
            "RP0118", "MaxTier is below Tier",
            "Method '{0}' starts at tier {1} but sets MaxTier = {2}; MaxTier must be at or above Tier",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0118.md");

        public static readonly DiagnosticDescriptor InvalidConfidenceThreshold = new DiagnosticDescriptor(
            "RP0119", "ConfidenceThreshold must be between 0 and 1",
            "ConfidenceThreshold {0} of method '{1}' must be between 0 and 1",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0119.md");

        public static readonly DiagnosticDescriptor UnsupportedContainingType = new DiagnosticDescriptor(
            "RP0120", "Unsupported type for routed prompts",
            "Type '{0}' cannot declare routed prompt methods: {1}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0120.md");

        public static readonly DiagnosticDescriptor SchemaRequiresUnknownProperty = new DiagnosticDescriptor(
            "RP0121", "Schema file requires a property the result type does not have",
            "Schema file '{0}' requires the property '{1}', but the result of method '{2}' ('{3}') has no member serialized as '{1}'",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0121.md");

        public static readonly DiagnosticDescriptor TierOutOfRange = new DiagnosticDescriptor(
            "RP0123", "Tier is not Small, Medium or Large",
            "Method '{0}' sets {1} = {2}, which is not a tier; use Tier.Small, Tier.Medium or Tier.Large",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0123.md");

        public static readonly DiagnosticDescriptor SchemaUnusableAtRunTime = new DiagnosticDescriptor(
            "RP0124", "Result schema cannot be used at run time",
            "Routed task '{0}' can never run: {1}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0124.md");

        public static readonly DiagnosticDescriptor DuplicateJsonName = new DiagnosticDescriptor(
            "RP0125", "Result type members share a JSON name",
            "Members '{0}' and '{1}' of result type '{2}' are both serialized as '{3}'; give one of them a distinct [JsonPropertyName]",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0125.md");

        public static readonly DiagnosticDescriptor ContextPlaceholder = new DiagnosticDescriptor(
            "RP0126", "RouteContext parameter cannot be rendered into the prompt",
            "Placeholder '{{{0}}}' in the prompt of method '{1}' names its RouteContext parameter, which is passed to the router and never rendered into the prompt; add a parameter for the value the prompt needs, or remove the placeholder",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0126.md");

        public static readonly DiagnosticDescriptor MultipleContexts = new DiagnosticDescriptor(
            "RP0127", "Routed prompt method takes more than one RouteContext",
            "Parameter '{0}' of method '{1}' is a second RouteContext (after '{2}'); a request has one context, so keep one RouteContext parameter",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0127.md");

        public static readonly DiagnosticDescriptor InternalFailure = new DiagnosticDescriptor(
            "RP0199", "RoutedPrompts could not process a routed method",
            "RoutedPrompts could not process method '{0}' ({1}), so it is not generated; please report this with the method's declaration",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpPrefix + "RP0199.md");

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = typeof(DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<DiagnosticDescriptor>()
            .ToDictionary(d => d.Id);

        /// <summary>
        /// The rules the generator reports, and the analyzers do not: the shapes it cannot implement (RP0100-RP0104,
        /// RP0120) and its own failure (RP0199). Such a method leaves the compiler with a declaration error of its own
        /// (CS0501, CS0751, CS0759 or CS8795), and the command-line compiler stops at declaration errors before it reports
        /// any analyzer diagnostic; a generator's diagnostics are reported before that point.
        /// </summary>
        private static readonly HashSet<string> GeneratorRules = new HashSet<string>(System.StringComparer.Ordinal)
        {
            "RP0100", "RP0101", "RP0102", "RP0103", "RP0104", "RP0120", "RP0199",
        };

        /// <summary>Whether the generator (not the analyzers) reports the rule <paramref name="id"/>.</summary>
        public static bool IsReportedByGenerator(string id) => GeneratorRules.Contains(id);

        /// <summary>Every rule of the generator.</summary>
        public static IReadOnlyCollection<DiagnosticDescriptor> All => ById.Values;

        internal static DiagnosticDescriptor Get(string id) => ById[id];
    }
}
