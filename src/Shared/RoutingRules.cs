// The one checker of routing rules (RoutedPrompts:Rules, Tasks:<name>:Rules). Compiled (as source) into the analyzers
// (RP0016, on routedprompts.json) and the generator, linked into the runtime (options validation, start-up and reload),
// whose internals the eval tool sees. BCL only. The shape (RoutedPromptsShape) owns the keys and the value kinds of a
// rule; this file owns what a rule means: an action, tier names, ranges, a pattern that compiles, a task and parameter
// that exist.
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RoutedPrompts.Shared
{
    /// <summary>What one routing rule says, as configuration holds it (the runtime's options or routedprompts.json).</summary>
    internal sealed class RuleSpec
    {
        /// <summary>The rule's name (telemetry, logs, <c>RouteDecision.Rule</c>), or <see langword="null"/>.</summary>
        public string? Name { get; set; }

        /// <summary>A global rule's task (the rule applies to that task only), or <see langword="null"/>.</summary>
        public string? Task { get; set; }

        public string? Feature { get; set; }

        public string? UserTier { get; set; }

        public IReadOnlyList<string>? Tags { get; set; }

        public long? MinInputTokens { get; set; }

        public long? MaxInputTokens { get; set; }

        public long? MinPromptLength { get; set; }

        public long? MaxPromptLength { get; set; }

        public bool? HasCode { get; set; }

        public string? Parameter { get; set; }

        public string? Pattern { get; set; }

        /// <summary>The start tier's name as written, or <see langword="null"/>.</summary>
        public string? StartTier { get; set; }

        /// <summary>The cap's name as written, or <see langword="null"/>.</summary>
        public string? MaxTier { get; set; }
    }

    /// <summary>One thing wrong with a rule.</summary>
    internal sealed class RuleProblem
    {
        public RuleProblem(string key, string message)
        {
            Key = key;
            Message = message;
        }

        /// <summary>The key at fault below the rule (<c>When:Pattern</c>), or empty for the rule itself.</summary>
        public string Key { get; }

        /// <summary>The message: the configuration path, what is wrong, and the fix.</summary>
        public string Message { get; }
    }

    /// <summary>Routing-rule semantics shared by the build (RP0016) and the runtime (options validation, the router's patterns).</summary>
    internal static class RoutingRules
    {
        /// <summary>The key of the rules list (at the root and under each task).</summary>
        public const string RulesKey = "Rules";

        /// <summary>How long a rule's pattern may run on one value; a timeout is no match.</summary>
        public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

        /// <summary>
        /// Compiles a rule's pattern as the router runs it (culture-invariant, with <see cref="MatchTimeout"/>);
        /// <see langword="null"/> and the parser's message when it does not compile.
        /// </summary>
        public static Regex? CompilePattern(string pattern, out string? error)
        {
            try
            {
                error = null;
                return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
                return null;
            }
        }

        /// <summary>The name a rule is known by: its <c>Name</c>, else its configuration path.</summary>
        public static string DisplayName(RuleSpec rule, string path) => string.IsNullOrWhiteSpace(rule.Name) ? path : rule.Name!;

        /// <summary>
        /// Checks one rule. <paramref name="path"/> is the rule's configuration path (<c>RoutedPrompts:Rules:0</c>);
        /// <paramref name="ownerTask"/> the task whose <c>Rules</c> list holds it (<see langword="null"/> for a global
        /// rule); <paramref name="tasks"/> the routed tasks and their parameters, or <see langword="null"/> when they are
        /// not known (then task and parameter names are not checked).
        /// </summary>
        public static void Check(RuleSpec rule, string path, string? ownerTask, IReadOnlyDictionary<string, IReadOnlyList<string>>? tasks, List<RuleProblem> problems)
        {
            if (rule.StartTier is null && rule.MaxTier is null)
            {
                problems.Add(new RuleProblem(string.Empty,
                    path + " has no action: set StartTier (start the request at a higher tier) or MaxTier (cap the tiers it may reach), or remove the rule."));
            }

            CheckTier(rule.StartTier, "StartTier", path, problems);
            CheckTier(rule.MaxTier, "MaxTier", path, problems);

            if (ownerTask is not null && rule.Task is not null)
            {
                problems.Add(new RuleProblem("Task",
                    path + ":Task is only for global rules (RoutedPrompts:Rules); a rule under Tasks:" + ownerTask + ":Rules applies to that task. Remove Task."));
            }
            else if (ownerTask is null && rule.Task is not null && tasks is not null && !tasks.ContainsKey(rule.Task))
            {
                problems.Add(new RuleProblem("Task",
                    path + ":Task '" + rule.Task + "' names no routed task: did you mean '" + RoutedPromptsShape.Nearest(rule.Task, Sorted(tasks.Keys)) +
                    "'? Fix the name, or remove Task to apply the rule to every task."));
            }

            CheckCount(rule.MinInputTokens, rule.MaxInputTokens, "InputTokens", path, problems);
            CheckCount(rule.MinPromptLength, rule.MaxPromptLength, "PromptLength", path, problems);

            if (rule.Tags is { } tags)
            {
                for (var i = 0; i < tags.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(tags[i]))
                    {
                        var key = "When:Tags:" + i.ToString(CultureInfo.InvariantCulture);
                        problems.Add(new RuleProblem(key, path + ":" + key + " is empty; give the tag the request's RouteContext.Tags must contain, or remove it."));
                    }
                }
            }

            CheckPattern(rule, path, ownerTask ?? rule.Task, tasks, problems);
        }

        private static void CheckPattern(RuleSpec rule, string path, string? task, IReadOnlyDictionary<string, IReadOnlyList<string>>? tasks, List<RuleProblem> problems)
        {
            var parameter = rule.Parameter;
            var pattern = rule.Pattern;
            if (parameter is null && pattern is null)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(parameter))
            {
                problems.Add(new RuleProblem(parameter is null ? "When:Pattern" : "When:Parameter",
                    path + ":When:Pattern needs When:Parameter, the name of the method parameter whose value the pattern must match; set it, or remove Pattern."));
            }
            else if (tasks is not null && !HasParameter(tasks, task, parameter!, out var known))
            {
                problems.Add(new RuleProblem("When:Parameter", path + ":When:Parameter '" + parameter + "' " + (task is not null && tasks.ContainsKey(task)
                    ? "is not a parameter of routed task '" + task + "'" + (known.Count == 0 ? ", which has none" : ": did you mean '" + RoutedPromptsShape.Nearest(parameter!, known) + "'? Its parameters are " + string.Join(", ", known.ToArray())) + ". Fix the name."
                    : "is a parameter of no routed task" + (known.Count == 0 ? string.Empty : ": did you mean '" + RoutedPromptsShape.Nearest(parameter!, known) + "'?") + " Fix the name, or set Task to the task whose parameter it is.")));
            }

            if (string.IsNullOrEmpty(pattern))
            {
                problems.Add(new RuleProblem(pattern is null ? "When:Parameter" : "When:Pattern",
                    path + ":When:Parameter needs When:Pattern, the regular expression the parameter's value must match (for example \"(?i)stack ?trace\"); set it, or remove Parameter."));
            }
            else if (CompilePattern(pattern!, out var error) is null)
            {
                problems.Add(new RuleProblem("When:Pattern",
                    path + ":When:Pattern '" + pattern + "' is not a valid regular expression: " + error + " Fix the pattern (.NET syntax; in JSON a backslash is written \\\\)."));
            }
        }

        private static bool HasParameter(IReadOnlyDictionary<string, IReadOnlyList<string>> tasks, string? task, string parameter, out List<string> known)
        {
            known = new List<string>();
            if (task is not null && tasks.TryGetValue(task, out var parameters))
            {
                known.AddRange(parameters);
            }
            else if (task is null || !tasks.ContainsKey(task))
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in Sorted(tasks.Keys))
                {
                    foreach (var p in tasks[name])
                    {
                        if (seen.Add(p))
                        {
                            known.Add(p);
                        }
                    }
                }

                if (task is not null)
                {
                    return true; // the task is unknown (reported); its parameter cannot be judged
                }
            }

            return known.Contains(parameter);
        }

        private static void CheckTier(string? tier, string key, string path, List<RuleProblem> problems)
        {
            if (tier is not null && RoutedPromptsShape.TierIndex(tier) is null)
            {
                problems.Add(new RuleProblem(key,
                    path + ":" + key + " is '" + tier + "', which is not a tier. Use a tier name: " + string.Join(", ", RoutedPromptsShape.TierNames) + "."));
            }
        }

        private static void CheckCount(long? min, long? max, string what, string path, List<RuleProblem> problems)
        {
            var negative = false;
            foreach (var (value, key) in new[] { (min, "When:Min" + what), (max, "When:Max" + what) })
            {
                if (value is { } number && (number < 0 || number > int.MaxValue))
                {
                    negative = true;
                    problems.Add(new RuleProblem(key, path + ":" + key + " is " + number.ToString(CultureInfo.InvariantCulture) +
                        "; it must be between 0 and " + int.MaxValue.ToString(CultureInfo.InvariantCulture) + " (for example 2000)."));
                }
            }

            if (!negative && min is { } low && max is { } high && low > high)
            {
                problems.Add(new RuleProblem("When:Min" + what, path + ":When:Min" + what + " (" + low.ToString(CultureInfo.InvariantCulture) + ") is above When:Max" + what +
                    " (" + high.ToString(CultureInfo.InvariantCulture) + "), so the rule matches no request. Swap them, or fix the one you meant."));
            }
        }

        private static List<string> Sorted(IEnumerable<string> names)
        {
            var list = new List<string>(names);
            list.Sort(StringComparer.Ordinal);
            return list;
        }
    }
}
