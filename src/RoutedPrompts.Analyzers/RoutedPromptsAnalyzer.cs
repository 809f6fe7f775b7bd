using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Analyzers
{
    /// <summary>
    /// Every RoutedPrompts rule but those the generator reports (<see cref="DiagnosticDescriptors.IsReportedByGenerator"/>):
    /// the method-shape rules (<c>RP01xx</c>, found by the <see cref="Parser"/> the generator also runs) and the rules that keep a task from routing blind (<c>RP00xx</c>: eval sets, fallback chains, gates,
    /// stale evaluations). AdditionalFiles are read once per compilation.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RoutedPromptsAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the eval set path the code fix creates.</summary>
        public const string EvalSetPathProperty = "EvalSetPath";

        /// <summary>Diagnostic property: an example eval row shaped from the method's parameters and result type.</summary>
        public const string ExampleRowProperty = "ExampleRow";

        /// <summary>Diagnostic property of RP0107: the unknown placeholder's name, for the "add a parameter" fix.</summary>
        public const string PlaceholderProperty = "Placeholder";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            Rules.All.AddRange(DiagnosticDescriptors.All.Where(d => !DiagnosticDescriptors.IsReportedByGenerator(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal));

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                if (start.Compilation.GetTypeByMetadataName(Parser.AttributeMetadataName) is not { } attributeType)
                {
                    return;
                }

                var inputs = new ProjectInputs(start.Options, start.CancellationToken);
                var reach = new ConcurrentBag<TaskReach>();
                var names = new ConcurrentBag<TaskName>();
                // A semantic-model action per tree rather than a syntax-node action: when the generator has written a
                // partial method's implementation, the driver attributes the method to the generated declaration and
                // never calls node actions for the user's definition.
                start.RegisterSemanticModelAction(c => AnalyzeTree(c, attributeType, inputs, reach, names));
                start.RegisterAdditionalFileAction(c => ReportMalformedConfiguration(c, inputs));

                // Which tasks reach which tiers is known only once every tree was analyzed: fallback chains are judged at
                // the end of the compilation, for the tiers some task can reach, naming those tasks.
                start.RegisterCompilationEndAction(c => AnalyzeFallbackChains(c, inputs, reach));
                start.RegisterCompilationEndAction(c => ReportDuplicateNames(c, names));
                start.RegisterCompilationEndAction(c => ReportUnknownTasks(c, inputs, names));
                start.RegisterCompilationEndAction(c => ReportInvalidRules(c, inputs, names));
            });
        }

        private static void AnalyzeTree(SemanticModelAnalysisContext context, INamedTypeSymbol attributeType, ProjectInputs inputs, ConcurrentBag<TaskReach> reach, ConcurrentBag<TaskName> names)
        {
            var root = context.SemanticModel.SyntaxTree.GetRoot(context.CancellationToken);
            foreach (var method in root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax).OfType<MethodDeclarationSyntax>())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (method.AttributeLists.Count > 0)
                {
                    AnalyzeMethod(context, method, attributeType, inputs, reach, names);
                }
            }
        }

        private static void AnalyzeMethod(SemanticModelAnalysisContext context, MethodDeclarationSyntax syntax, INamedTypeSymbol attributeType, ProjectInputs inputs, ConcurrentBag<TaskReach> reach, ConcurrentBag<TaskName> names)
        {
            if (
                context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method)
            {
                return;
            }

            var attribute = method.GetAttributes().FirstOrDefault(a =>
                SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType) &&
                a.ApplicationSyntaxReference is { } reference && reference.SyntaxTree == syntax.SyntaxTree && syntax.Span.Contains(reference.Span));
            if (attribute is null)
            {
                return;
            }

            if (Parser.Parse(method, syntax, attribute, context.SemanticModel.Compilation, context.CancellationToken) is not { } parsed)
            {
                // A routed method whose task name cannot be known yet (mid-edit): no Tasks:<name> entry is called unknown.
                names.Add(new TaskName(null, syntax.Identifier.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
                return;
            }

            var resolved = Parser.Resolve(parsed, inputs.Files);
            // The rules the generator reports are left to it (DiagnosticDescriptors.IsReportedByGenerator): the compiler
            // reports no analyzer diagnostic once it has a declaration error, which such a method always leaves.
            foreach (var diagnostic in resolved.Diagnostics.Where(d => !DiagnosticDescriptors.IsReportedByGenerator(d.Id)))
            {
                var properties = diagnostic.Id == DiagnosticDescriptors.UnknownPlaceholder.Id
                    ? ImmutableDictionary<string, string?>.Empty.Add(PlaceholderProperty, diagnostic.Arguments[0])
                    : null;
                context.ReportDiagnostic(diagnostic.ToDiagnostic(
                    context.SemanticModel.Compilation, properties, diagnostic.Location is { } location ? inputs.ExternalPath(location) : null));
            }

            if (resolved.Model is { Descriptor: { } descriptor })
            {
                names.Add(new TaskName(descriptor.Name, syntax.Identifier.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat), descriptor.BoundParameters.ToArray()));
            }
            else
            {
                names.Add(new TaskName(null, syntax.Identifier.GetLocation(), method.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
            }

            if (resolved.Model is { Descriptor: not null } &&
                attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is AttributeSyntax attributeSyntax)
            {
                new TaskRules(context, inputs, resolved, attributeSyntax, syntax, reach).Run();
            }
        }

        private static void ReportMalformedConfiguration(AdditionalFileAnalysisContext context, ProjectInputs inputs)
        {
            if (inputs.ConfigFile is not { } file || Parser.NormalizePath(context.AdditionalFile.Path) != file.Path)
            {
                return;
            }

            if (inputs.ConfigError is { } error)
            {
                var location = inputs.FileLocation(file, error.Position, 0);
                var line = location.GetLineSpan().StartLinePosition;
                context.ReportDiagnostic(Diagnostic.Create(Rules.ConfigurationUnusable, location, string.Format(
                    CultureInfo.InvariantCulture, "routedprompts.json is malformed at line {0}, column {1}: {2}", line.Line + 1, line.Character + 1, error.Message)));
            }

            // What the runtime's options validation would refuse at start-up (RoutedPromptsShape, shared with it).
            foreach (var problem in inputs.Config?.Problems ?? Array.Empty<ConfigurationProblem>())
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    problem.UnknownKey ? Rules.UnknownSetting : Rules.InvalidSetting, inputs.FileLocation(file, problem.Start, problem.Length), problem.Message));
            }
        }

        // Configuration keys tasks by name; a name no task of the project has is a typo (or a task of another assembly).
        private static void ReportUnknownTasks(CompilationAnalysisContext context, ProjectInputs inputs, ConcurrentBag<TaskName> names)
        {
            // A routed method whose name is unknown (it has errors) may be the task meant; so may a task of another
            // assembly when this project declares none.
            if (inputs.Config is not { } config || inputs.ConfigFile is not { } file || names.IsEmpty || names.Any(n => n.Name is null))
            {
                return;
            }

            var known = new HashSet<string>(names.Select(n => n.Name!), StringComparer.Ordinal);
            foreach (var task in config.Tasks.OrderBy(t => t.Value.NameStart))
            {
                if (!known.Contains(task.Key))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Rules.UnknownTask, inputs.FileLocation(file, task.Value.NameStart, task.Value.NameLength), task.Key, RoutedPromptsShape.Nearest(task.Key, known.OrderBy(n => n, StringComparer.Ordinal))));
                }
            }
        }

        // Routing rules are checked by the one rule checker the runtime's options validation also runs (RoutingRules.Check);
        // task and parameter names only when every routed method of the project is known (as for RP0015).
        private static void ReportInvalidRules(CompilationAnalysisContext context, ProjectInputs inputs, ConcurrentBag<TaskName> names)
        {
            if (inputs.Config is not { } config || inputs.ConfigFile is not { } file || config.Rules.Count == 0)
            {
                return;
            }

            Dictionary<string, IReadOnlyList<string>>? tasks = null;
            if (!names.IsEmpty && !names.Any(n => n.Name is null))
            {
                tasks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var task in names)
                {
                    tasks[task.Name!] = task.Parameters ?? Array.Empty<string>();
                }
            }

            foreach (var rule in config.Rules)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var problems = new List<RuleProblem>();
                RoutingRules.Check(rule.Spec, rule.Path, rule.OwnerTask, tasks, problems);
                foreach (var problem in problems)
                {
                    var node = rule.Locate(problem.Key);
                    context.ReportDiagnostic(Diagnostic.Create(Rules.InvalidRoutingRule, inputs.FileLocation(file, node.Start, node.End - node.Start), problem.Message));
                }
            }
        }

        private static void AnalyzeFallbackChains(CompilationAnalysisContext context, ProjectInputs inputs, ConcurrentBag<TaskReach> reach)
        {
            if (inputs.Config is not { } config || inputs.ConfigFile is not { } file || inputs.ConfigText is not { } text)
            {
                return;
            }

            var ratio = ProjectInputs.MaxFallbackPriceRatio(context.Options, text);
            for (var tier = 0; tier < config.Tiers.Length; tier++)
            {
                var tasks = reach.Where(r => r.First <= tier && tier <= r.Last).Select(r => r.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
                var chain = config.Tiers[tier];
                for (var i = 0; i < chain.Count && tasks.Count > 0; i++)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    var deployment = chain[i];
                    var reason = StepDownReason(config, tier, chain[0], deployment, i, ratio);
                    if (reason is not null)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(
                            Rules.FallbackStepsDown,
                            inputs.FileLocation(file, deployment.Node.Start, deployment.Node.End - deployment.Node.Start),
                            deployment.Name,
                            RoutedPromptsShape.TierNames[tier],
                            string.Join(", ", tasks.Take(5).Select(t => "'" + t + "'")) + (tasks.Count > 5 ? " and " + (tasks.Count - 5).ToString(CultureInfo.InvariantCulture) + " more" : string.Empty),
                            reason));
                    }
                }
            }
        }

        // Two tasks with one name collide in configuration, telemetry and the lock file, and the registry throws when the
        // assembly loads. The default name (Type.Method without Async) makes this easy to hit with overloads or with
        // same-named types in two namespaces.
        private static void ReportDuplicateNames(CompilationAnalysisContext context, ConcurrentBag<TaskName> names)
        {
            foreach (var group in names.Where(n => n.Name is not null).GroupBy(n => n.Name!, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                var tasks = group.OrderBy(t => t.Method, StringComparer.Ordinal).ThenBy(t => t.Location.SourceSpan.Start).ToList();
                foreach (var task in tasks)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    var others = string.Join(", ", tasks.Where(o => !ReferenceEquals(o, task)).Select(o => "'" + o.Method + "'"));
                    context.ReportDiagnostic(Diagnostic.Create(Rules.DuplicateTaskName, task.Location, task.Name, others));
                }
            }
        }

        private static string? StepDownReason(RoutedPromptsManifest config, int tier, DeploymentEntry first, DeploymentEntry deployment, int index, double ratio)
        {
            for (var cheaper = 0; cheaper < tier; cheaper++)
            {
                if (config.Tiers[cheaper].Any(d => string.Equals(d.Provider, deployment.Provider, StringComparison.OrdinalIgnoreCase) &&
                                                   string.Equals(d.Model, deployment.Model, StringComparison.OrdinalIgnoreCase)))
                {
                    return "is also used by the cheaper tier '" + RoutedPromptsShape.TierNames[cheaper] + "'";
                }
            }

            if (index > 0 && first.Price is { } firstPrice && deployment.Price is { } price && price > 0 && firstPrice / price > ratio)
            {
                return string.Format(
                    CultureInfo.InvariantCulture,
                    "costs {0:0.##}x less than the chain's first entry '{1}' (more than routedprompts.max_fallback_price_ratio = {2})",
                    firstPrice / price,
                    first.Name,
                    ratio);
            }

            return null;
        }
    }

    /// <summary>A routed task and the tiers its requests can be served by.</summary>
    internal sealed record TaskReach(string Name, int First, int Last);

    /// <summary>A routed method and its task's name (<see langword="null"/> when the method has errors that leave it unnamed).</summary>
    internal sealed record TaskName(string? Name, Location Location, string Method, IReadOnlyList<string>? Parameters = null);
}
