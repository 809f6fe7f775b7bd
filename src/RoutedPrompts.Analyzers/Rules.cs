using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace RoutedPrompts.Analyzers
{
    /// <summary>
    /// The analyzers' own rules (<c>RP00xx</c>): eval sets, fallback chains, gates and stale evaluations. The
    /// method-shape rules (<c>RP01xx</c>) are <see cref="RoutedPrompts.Shared.DiagnosticDescriptors"/>, found by the
    /// parser shared with the generator.
    /// </summary>
    internal static class Rules
    {
        public const string EvaluationCategory = "RoutedPrompts.Evaluation";
        public const string ConfigurationCategory = "RoutedPrompts.Configuration";
        public const string GatesCategory = "RoutedPrompts.Gates";

        public static readonly DiagnosticDescriptor NoEvalSet = Create(
            "RP0001", "Routed task has no eval set",
            "Routed task '{0}' has no eval set: {1}",
            EvaluationCategory);

        public static readonly DiagnosticDescriptor EvalRowUnusable = Create(
            "RP0002", "Eval set row is unusable",
            "Line {0} of eval set '{1}' of routed task '{2}' is unusable: {3}",
            EvaluationCategory);

        public static readonly DiagnosticDescriptor EvalSetTooSmall = Create(
            "RP0003", "Eval set is too small",
            "Eval set '{0}' of routed task '{1}' has {2} example(s); at least {3} are needed to tell the tiers apart (routedprompts.min_eval_examples)",
            EvaluationCategory);

        public static readonly DiagnosticDescriptor StaleEvaluation = Create(
            "RP0004", "Prompt changed since it was last evaluated",
            "The routedprompts.lock.json entry of routed task '{0}' is stale: {1}; run 'dotnet routed-prompts eval --task {0}' then 'dotnet routed-prompts calibrate --task {0}'",
            EvaluationCategory);

        public static readonly DiagnosticDescriptor NoFallbackChain = Create(
            "RP0010", "Tier has no fallback chain",
            "Tier '{0}', which routed task '{1}' can reach, has {2} deployment(s) in routedprompts.json; give it a second deployment of equivalent quality so an outage does not force an escalation or a failure",
            ConfigurationCategory);

        public static readonly DiagnosticDescriptor ConfigurationUnusable = Create(
            "RP0011", "routedprompts.json is missing or malformed",
            "{0}",
            ConfigurationCategory);

        public static readonly DiagnosticDescriptor FallbackStepsDown = Create(
            "RP0012", "Fallback steps down",
            "Deployment '{0}' in the fallback chain of tier '{1}' (reached by routed task {2}) {3}; a fallback must be of equivalent quality, or a request that falls over is silently answered worse",
            ConfigurationCategory,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor UnknownSetting = Create(
            "RP0013", "Unknown key in routedprompts.json",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidSetting = Create(
            "RP0014", "Unusable value in routedprompts.json",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnknownTask = Create(
            "RP0015", "routedprompts.json configures a task the project does not have",
            "Tasks:{0} in routedprompts.json names no routed task of this project: did you mean '{1}'? Fix the name, or remove the entry (a task of a referenced assembly is configured in that assembly's application)",
            ConfigurationCategory,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor InvalidRoutingRule = Create(
            "RP0016", "Invalid routing rule in routedprompts.json",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Error,
            WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor CascadeWithoutGate = Create(
            "RP0020", "Cascade without a gate",
            "Routed task '{0}' returns free text and has no validator and no confidence threshold, so no answer ever fails and the cascade never escalates; set Validator, ValidatorType or ConfidenceThreshold",
            GatesCategory);

        public static readonly DiagnosticDescriptor DuplicateTaskName = Create(
            "RP0122", "Routed task names must be unique",
            "Routed task name '{0}' is also used by {1}; configuration, telemetry and the lock file key on the task name, and the task registry rejects a duplicate when the assembly loads: set a distinct Name on the [RoutedPrompt] attribute",
            "RoutedPrompts",
            DiagnosticSeverity.Error,
            WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>The rules a project raises to errors with <c>RoutedPromptsEvalRulesAsErrors</c>.</summary>
        public static readonly ImmutableHashSet<string> EvalRuleIds = ImmutableHashSet.Create(NoEvalSet.Id, EvalRowUnusable.Id, EvalSetTooSmall.Id, StaleEvaluation.Id);

        public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
            NoEvalSet, EvalRowUnusable, EvalSetTooSmall, StaleEvaluation, NoFallbackChain, ConfigurationUnusable, FallbackStepsDown, UnknownSetting, InvalidSetting, UnknownTask, InvalidRoutingRule, CascadeWithoutGate, DuplicateTaskName);

        private static DiagnosticDescriptor Create(string id, string title, string message, string category, params string[] customTags) =>
            Create(id, title, message, category, DiagnosticSeverity.Warning, customTags);

        private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, params string[] customTags) =>
            new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: Shared.DiagnosticDescriptors.HelpPrefix + id + ".md", customTags: customTags);
    }
}
