using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Analyzers
{
    /// <summary>The <c>RP00xx</c> rules for one routed task that the shared parser found generable.</summary>
    internal sealed class TaskRules
    {
        private readonly SemanticModelAnalysisContext _context;
        private readonly ProjectInputs _inputs;
        private readonly TaskModel _model;
        private readonly TaskDescriptor _descriptor;
        private readonly AttributeSyntax _attribute;
        private readonly MethodDeclarationSyntax _method;

        private readonly ConcurrentBag<TaskReach> _reach;
        private readonly string? _evalSetHash;

        public TaskRules(SemanticModelAnalysisContext context, ProjectInputs inputs, ResolvedMethod resolved, AttributeSyntax attribute, MethodDeclarationSyntax method, ConcurrentBag<TaskReach> reach)
        {
            var model = resolved.Model!;
            _evalSetHash = model.Descriptor!.EvalSet is { } evalSet && inputs.Find(evalSet) is { } file ? RoutedTaskHashing.EvalSetHash(file.Text) : null;
            _reach = reach;
            _context = context;
            _inputs = inputs;
            _model = model;
            _descriptor = model.Descriptor!;
            _attribute = attribute;
            _method = method;
        }

        private Location MethodLocation => _method.Identifier.GetLocation();

        public void Run()
        {
            EvalSet();
            Stale();
            var taskOverride = default(TaskOverride);
            if (_inputs.ConfigFile is null)
            {
                var why = _inputs.Selection.Problems.FirstOrDefault(p => ProjectFileSelection.HasName(p.Path, RoutedPromptsManifest.FileName))?.Message ??
                    "routedprompts.json is not among the project's AdditionalFiles";
                Report(Rules.ConfigurationUnusable, MethodLocation, null, "Routed task '" + _descriptor.Name + "' cannot be checked against its tiers: " + why);
            }
            else if (_inputs.Config is { } config)
            {
                config.Tasks.TryGetValue(_descriptor.Name, out taskOverride);
                FallbackChains(config, taskOverride);
                var (first, last) = ReachableTiers(taskOverride);
                _reach.Add(new TaskReach(_descriptor.Name, first, last));
            }

            Gate(taskOverride);
        }

        /// <summary>RP0001, RP0002, RP0003.</summary>
        private void EvalSet()
        {
            var path = _descriptor.EvalSet;
            if (string.IsNullOrWhiteSpace(path))
            {
                var suggested = "evals/" + _descriptor.Name + ".jsonl";
                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(RoutedPromptsAnalyzer.EvalSetPathProperty, suggested)
                    .Add(RoutedPromptsAnalyzer.ExampleRowProperty, ExampleRow());
                Report(Rules.NoEvalSet, _attribute.GetLocation(), properties, _descriptor.Name, "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"" + suggested + "\")");
                return;
            }

            var argument = Argument("EvalSet") ?? _attribute.GetLocation();
            if (_inputs.Find(path!) is not { } file)
            {
                Report(Rules.NoEvalSet, argument, null, _descriptor.Name, "'" + path + "' is not among the project's AdditionalFiles");
                return;
            }

            var schema = !_model.IsText && _descriptor.SchemaJson is { } json && JsonSyntaxChecker.Parse(json, out var node, out _) is null ? node : null;
            var parameters = _model.Parameters.Where(p => p.Role == ParameterRole.Bindable).Select(p => p.PlainName).ToList();
            var problems = new List<EvalRowProblem>();
            var rows = Shared.EvalSet.Check(file.Text, parameters, schema, _model.IsText, problems, () => _context.CancellationToken.IsCancellationRequested);
            _context.CancellationToken.ThrowIfCancellationRequested();
            foreach (var problem in problems.Take(ProjectInputs.MaxRowDiagnostics))
            {
                Report(Rules.EvalRowUnusable, _inputs.FileLocation(file, problem.Start, problem.Length), null, problem.LineNumber, path!, _descriptor.Name, problem.Message);
            }

            var minimum = ProjectInputs.MinEvalExamples(_context.Options, _method.SyntaxTree);
            if (rows < minimum)
            {
                Report(Rules.EvalSetTooSmall, argument, null, path!, _descriptor.Name, rows, minimum);
            }
        }

        /// <summary>RP0004: the lock entry records other hashes than the code has now, or was built on incomplete eval evidence (<see cref="LockEntry.Changes"/>).</summary>
        private void Stale()
        {
            if (_inputs.Lock is null || !_inputs.Lock.TryGetValue(_descriptor.Name, out var entry))
            {
                return;
            }

            // Unreadable configuration says nothing about the chat options: only the hashes the code has are compared then.
            var chatOptionsHash = _inputs.Config is { } config
                ? (config.Tasks.TryGetValue(_descriptor.Name, out var taskOverride) ? taskOverride.ChatOptionsHash : null)
                : entry.ChatOptionsHash;
            var changed = entry.Changes(_descriptor.PromptHash, _descriptor.SchemaHash, _evalSetHash, chatOptionsHash);
            var hashes = changed.Where(c => c != LockEntry.IncompleteEvidence).ToList();
            var reasons = new List<string>();
            if (hashes.Count > 0)
            {
                reasons.Add(hashes.Count == 1
                    ? "the " + hashes[0] + " hash differs"
                    : "the " + string.Join(", ", hashes.Take(hashes.Count - 1)) + " and " + hashes[hashes.Count - 1] + " hashes differ");
            }

            if (hashes.Count < changed.Count)
            {
                reasons.Add("it was built on incomplete eval evidence (it lacks \"evidenceComplete\": true)");
            }

            if (reasons.Count > 0)
            {
                Report(Rules.StaleEvaluation, MethodLocation, null, _descriptor.Name, string.Join("; ", reasons));
            }
        }

        /// <summary>RP0010: a tier the task can reach has fewer than two deployments.</summary>
        private void FallbackChains(RoutedPromptsManifest config, TaskOverride? taskOverride)
        {
            var (first, last) = ReachableTiers(taskOverride);
            for (var tier = first; tier <= last; tier++)
            {
                // A tier with no deployments is skipped by the cascade (the start tier must have one: the runtime's
                // options validation fails without it); a single deployment is the trap this rule is about.
                var count = config.Tiers[tier].Count;
                if (count == 1 || (count == 0 && tier == first))
                {
                    Report(Rules.NoFallbackChain, MethodLocation, null, RoutedPromptsShape.TierNames[tier], _descriptor.Name, count);
                }
            }
        }

        /// <summary>RP0020: a free-text task whose answers no gate but Empty/Refusal/Truncated can fail.</summary>
        private void Gate(TaskOverride? taskOverride)
        {
            var (first, last) = ReachableTiers(taskOverride);
            if (_model.IsText && last > first && _descriptor.ValidatorMethod is null && _descriptor.ValidatorType is null &&
                _descriptor.ConfidenceThreshold is null && taskOverride?.ConfidenceThreshold is null)
            {
                Report(Rules.CascadeWithoutGate, MethodLocation, null, _descriptor.Name);
            }
        }

        /// <summary>The tiers a request can be served by (<see cref="TierRange.Reachable"/>, as the router computes them).</summary>
        private (int First, int Last) ReachableTiers(TaskOverride? taskOverride) =>
            TierRange.Reachable(_descriptor.Tier, _descriptor.MaxTier, taskOverride?.Tier, taskOverride?.MaxTier);

        private Location? Argument(string name) =>
            _attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression.GetLocation();

        private void Report(DiagnosticDescriptor rule, Location location, ImmutableDictionary<string, string?>? properties, params object[] arguments)
        {
            _context.ReportDiagnostic(_inputs.EvalRulesAsErrors && Rules.EvalRuleIds.Contains(rule.Id)
                ? Diagnostic.Create(rule, location, DiagnosticSeverity.Error, null, properties, arguments)
                : Diagnostic.Create(rule, location, properties, arguments));
        }

        /// <summary>One eval row shaped from the parameters and the result's schema, for the "add an eval set" fix.</summary>
        private string ExampleRow()
        {
            var row = new StringBuilder("{\"inputs\": {");
            var bindable = _model.Parameters.Where(p => p.Role == ParameterRole.Bindable).ToList();
            for (var i = 0; i < bindable.Count; i++)
            {
                row.Append(i == 0 ? string.Empty : ", ").Append(SchemaBuilder.Quote(bindable[i].PlainName)).Append(": ").Append(bindable[i].IsString ? "\"\"" : "null");
            }

            row.Append("}, \"expected\": ");
            var schema = !_model.IsText && _descriptor.SchemaJson is { } json && JsonSyntaxChecker.Parse(json, out var node, out _) is null ? node : null;
            row.Append(schema is null ? "\"\"" : ExampleValue(schema, schema, 0)).Append('}');
            return row.ToString();
        }

        private static string ExampleValue(JsonNode root, JsonNode schema, int depth)
        {
            if (depth > 8)
            {
                return "null";
            }

            if (schema.Get("$ref")?.Text == "#")
            {
                return "null";
            }

            if (schema.Get("enum") is { Kind: JsonNodeKind.Array } values && values.Items.Count > 0)
            {
                var value = values.Items[0];
                return value.Kind == JsonNodeKind.String ? SchemaBuilder.Quote(value.Text!) : value.Text ?? "null";
            }

            if (schema.Get("anyOf") is { Kind: JsonNodeKind.Array } options && options.Items.Count > 0)
            {
                return ExampleValue(root, options.Items[0], depth + 1);
            }

            var type = schema.Get("type") is { Kind: JsonNodeKind.Array } types ? types.Items.FirstOrDefault()?.Text : schema.Get("type")?.Text;
            switch (type)
            {
                case "object":
                    var properties = schema.Get("properties")?.Properties ?? Array.Empty<KeyValuePair<string, JsonNode>>();
                    return "{" + string.Join(", ", properties.Select(p => SchemaBuilder.Quote(p.Key) + ": " + ExampleValue(root, p.Value, depth + 1))) + "}";
                case "array":
                    return "[]";
                case "string":
                    return "\"\"";
                case "integer":
                case "number":
                    return "0";
                case "boolean":
                    return "false";
                default:
                    return "null";
            }
        }
    }
}
