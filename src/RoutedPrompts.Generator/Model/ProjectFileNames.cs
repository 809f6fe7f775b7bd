using System;
using System.Collections.Generic;
using System.Linq;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>
    /// The AdditionalFile names the project's routed methods use (sorted, distinct): a file none of them names, such as
    /// <c>routedprompts.json</c>, never reaches a task step, so editing it re-runs nothing past its own projection.
    /// </summary>
    internal sealed record ProjectFileNames
    {
        /// <summary>The <c>PromptFile</c> and <c>Schema</c> arguments, resolved by <see cref="Parser.Resolve"/>.</summary>
        public required EquatableArray<string> Templates { get; init; }

        /// <summary>The <c>EvalSet</c> arguments, whose files are projected to <see cref="EvalSetFile"/>s.</summary>
        public required EquatableArray<string> EvalSets { get; init; }

        public static ProjectFileNames Of(IEnumerable<ParsedMethod> methods) => new()
        {
            Templates = Sorted(methods.SelectMany(m => new[] { m.PromptFile, m.SchemaFile })),
            EvalSets = Sorted(methods.Select(m => m.Model?.Descriptor?.EvalSet)),
        };

        /// <summary>Whether a prompt or schema file name can resolve to <paramref name="path"/> (<see cref="Parser.FindFile"/>).</summary>
        public bool NamesTemplate(string path) => Templates.Any(name => Parser.CanName(name, path));

        /// <summary>Whether an eval-set name can resolve to <paramref name="path"/> (<see cref="Parser.FindFile"/>).</summary>
        public bool NamesEvalSet(string path) => EvalSets.Any(name => Parser.CanName(name, path));

        private static EquatableArray<string> Sorted(IEnumerable<string?> names) =>
            names.OfType<string>().Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray();
    }
}
