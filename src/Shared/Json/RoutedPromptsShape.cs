// The one accepted shape of the RoutedPrompts configuration (routedprompts.json, or the RoutedPrompts section of any
// IConfiguration): the wrapper rule, the known keys at each level and what their values may be. BCL only: compiled (as
// source) into the analyzers, which check routedprompts.json at build time, and into the runtime, whose options
// validation checks the configuration section's keys (environment variables included) at start-up, so both hold a file
// to the same rule. Keep it in step with RoutedPromptsOptions (a test compares them).
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;

namespace RoutedPrompts.Shared
{
    /// <summary>What a setting's value is.</summary>
    internal enum SettingKind
    {
        /// <summary>An object with the known keys of <see cref="Setting.Keys"/>.</summary>
        Section,

        /// <summary>An array of <see cref="Setting.Element"/> (keys <c>0</c>, <c>1</c>, … in configuration).</summary>
        List,

        /// <summary>An object whose keys are names (task names), each a <see cref="Setting.Element"/>.</summary>
        Map,

        String,
        Number,
        Integer,
        Boolean,
        Tier,
        TimeSpan,
        UnavailableBehavior,
    }

    /// <summary>One node of <see cref="RoutedPromptsShape"/>.</summary>
    internal sealed class Setting
    {
        private static readonly KeyValuePair<string, Setting>[] NoKeys = new KeyValuePair<string, Setting>[0];

        private Setting(SettingKind kind, KeyValuePair<string, Setting>[]? keys = null, Setting? element = null, double minimum = double.NegativeInfinity, double maximum = double.PositiveInfinity, string? example = null)
        {
            Kind = kind;
            Keys = keys ?? NoKeys;
            Element = element;
            Minimum = minimum;
            Maximum = maximum;
            Example = example;
        }

        public SettingKind Kind { get; }

        /// <summary>A section's known keys (compared case-insensitively, as configuration keys are).</summary>
        public IReadOnlyList<KeyValuePair<string, Setting>> Keys { get; }

        /// <summary>What a list's items or a map's entries are.</summary>
        public Setting? Element { get; }

        /// <summary>The smallest value a number accepts.</summary>
        public double Minimum { get; }

        /// <summary>The largest value a number accepts.</summary>
        public double Maximum { get; }

        /// <summary>A value to suggest in messages.</summary>
        public string? Example { get; }

        public bool IsValue => Kind > SettingKind.Map;

        public static Setting Section(params KeyValuePair<string, Setting>[] keys) => new(SettingKind.Section, keys);

        public static Setting List(Setting element) => new(SettingKind.List, element: element);

        public static Setting Map(Setting element) => new(SettingKind.Map, element: element);

        public static Setting Value(SettingKind kind, double minimum = double.NegativeInfinity, double maximum = double.PositiveInfinity, string? example = null) =>
            new(kind, minimum: minimum, maximum: maximum, example: example);

        /// <summary>The known key <paramref name="key"/> names (case-insensitively), or <see langword="null"/>.</summary>
        public Setting? Find(string key)
        {
            foreach (var known in Keys)
            {
                if (string.Equals(known.Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    return known.Value;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// The RoutedPrompts configuration's shape: <c>Tiers</c> (Small, Medium, Large) with ordered <c>Deployments</c>,
    /// per-task overrides under <c>Tasks</c>, resilience settings, and the root switches.
    /// </summary>
    internal static class RoutedPromptsShape
    {
        /// <summary>The configuration section, and the one root key of a wrapped <c>routedprompts.json</c>.</summary>
        public const string SectionName = "RoutedPrompts";

        public static readonly string[] TierNames = { "Small", "Medium", "Large" };

        public const string Temperature = "Temperature";
        public const string MaxOutputTokens = "MaxOutputTokens";
        public const string TopP = "TopP";
        public const string Seed = "Seed";

        private static readonly Setting Resilience = Setting.Section(
            Key("AttemptTimeout", SettingKind.TimeSpan),
            Key("MaxRetries", SettingKind.Integer),
            Key("RetryBaseDelay", SettingKind.TimeSpan),
            Key("RetryMaxDelay", SettingKind.TimeSpan),
            Key("MaxRetryAfter", SettingKind.TimeSpan),
            Key("CircuitBreakerEnabled", SettingKind.Boolean),
            Key("FailureRatio", SettingKind.Number),
            Key("MinimumThroughput", SettingKind.Integer),
            Key("SamplingDuration", SettingKind.TimeSpan),
            Key("BreakDuration", SettingKind.TimeSpan));

        private static readonly Setting Deployment = Setting.Section(
            Key("Provider", SettingKind.String),
            Key("Model", SettingKind.String),
            Key("InputUsdPerMillionTokens", SettingKind.Number),
            Key("OutputUsdPerMillionTokens", SettingKind.Number),
            Key("CachedInputUsdPerMillionTokens", SettingKind.Number),
            Key("LogProbabilities", SettingKind.Boolean),
            new KeyValuePair<string, Setting>("Resilience", Resilience));

        private static readonly Setting Tier = Setting.Section(
            new KeyValuePair<string, Setting>("Deployments", Setting.List(Deployment)),
            new KeyValuePair<string, Setting>("Resilience", Resilience),
            Key("WhenUnavailable", SettingKind.UnavailableBehavior));

        /// <summary>
        /// A routing rule's conditions (<c>When</c>): kinds only; what they must be (ranges, a pattern that compiles, a
        /// known parameter) is <see cref="RoutingRules.Check"/>'s, RP0016 at build time.
        /// </summary>
        private static readonly Setting RuleConditions = Setting.Section(
            Key("Feature", SettingKind.String),
            Key("UserTier", SettingKind.String),
            new KeyValuePair<string, Setting>("Tags", Setting.List(Setting.Value(SettingKind.String))),
            Key("MinInputTokens", SettingKind.Integer),
            Key("MaxInputTokens", SettingKind.Integer),
            Key("MinPromptLength", SettingKind.Integer),
            Key("MaxPromptLength", SettingKind.Integer),
            Key("HasCode", SettingKind.Boolean),
            Key("Parameter", SettingKind.String),
            Key("Pattern", SettingKind.String));

        /// <summary>
        /// A rule under <c>Tasks:&lt;name&gt;:Rules</c>. Its tiers are strings here: a rule's tier names are
        /// <see cref="RoutingRules.Check"/>'s (RP0016), so a misspelled one is reported once.
        /// </summary>
        public static readonly Setting TaskRule = Setting.Section(
            Key("Name", SettingKind.String),
            new KeyValuePair<string, Setting>("When", RuleConditions),
            Key("StartTier", SettingKind.String),
            Key("MaxTier", SettingKind.String));

        /// <summary>A rule under <c>RoutedPrompts:Rules</c>: a task rule that may name its <c>Task</c>.</summary>
        public static readonly Setting GlobalRule = Setting.Section(
            Key("Name", SettingKind.String),
            Key("Task", SettingKind.String),
            new KeyValuePair<string, Setting>("When", RuleConditions),
            Key("StartTier", SettingKind.String),
            Key("MaxTier", SettingKind.String));

        /// <summary>
        /// A <c>Tasks:&lt;name&gt;</c> entry: the routing overrides and the chat options sent with every request of the
        /// task (named as <c>Microsoft.Extensions.AI.ChatOptions</c> names them).
        /// </summary>
        public static readonly Setting Task = Setting.Section(
            Key("ConfidenceThreshold", SettingKind.Number),
            Key("Tier", SettingKind.Tier),
            Key("MaxTier", SettingKind.Tier),
            new KeyValuePair<string, Setting>(Temperature, Setting.Value(SettingKind.Number, 0, 2, "0.2")),
            new KeyValuePair<string, Setting>(MaxOutputTokens, Setting.Value(SettingKind.Integer, 1, int.MaxValue, "1024")),
            new KeyValuePair<string, Setting>(TopP, Setting.Value(SettingKind.Number, 0, 1, "0.9")),
            new KeyValuePair<string, Setting>(Seed, Setting.Value(SettingKind.Integer, long.MinValue, long.MaxValue, "42")),
            new KeyValuePair<string, Setting>(RoutingRules.RulesKey, Setting.List(TaskRule)));

        /// <summary>The section itself (the root of an unwrapped <c>routedprompts.json</c>).</summary>
        public static readonly Setting Root = Setting.Section(
            new KeyValuePair<string, Setting>("Tiers", Setting.Section(
                new KeyValuePair<string, Setting>(TierNames[0], Tier),
                new KeyValuePair<string, Setting>(TierNames[1], Tier),
                new KeyValuePair<string, Setting>(TierNames[2], Tier))),
            new KeyValuePair<string, Setting>("Tasks", Setting.Map(Task)),
            new KeyValuePair<string, Setting>(RoutingRules.RulesKey, Setting.List(GlobalRule)),
            Key("LogContent", SettingKind.Boolean),
            Key("ExposeProviderExceptions", SettingKind.Boolean),
            new KeyValuePair<string, Setting>("Resilience", Resilience),
            Key("WhenTierUnavailable", SettingKind.UnavailableBehavior));

        /// <summary>
        /// Whether a file with these root keys is wrapped: its only root key is <c>RoutedPrompts</c> (as in
        /// <c>appsettings.json</c>), so that key's value is the section; otherwise the root is the section.
        /// </summary>
        public static bool IsWrapped(IReadOnlyList<string> rootKeys) =>
            rootKeys.Count == 1 && string.Equals(rootKeys[0], SectionName, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Checks a key path under the section (<c>Tiers</c>, <c>Small</c>, <c>Deployments</c>, <c>0</c>, <c>Model</c>).
        /// Returns <see langword="null"/> when every segment is known, else the problem with the path up to the first
        /// unknown segment (<paramref name="depth"/> is its index) and the nearest known key.
        /// </summary>
        /// <param name="segments">The path's segments.</param>
        /// <param name="prefix">Written before the path in the message (e.g. <c>RoutedPrompts:</c>), or empty.</param>
        /// <param name="depth">The index of the unknown segment.</param>
        public static string? UnknownKey(IReadOnlyList<string> segments, string prefix, out int depth)
        {
            var setting = Root;
            for (depth = 0; depth < segments.Count; depth++)
            {
                var key = segments[depth];
                var path = prefix + Join(segments, depth + 1);
                switch (setting.Kind)
                {
                    case SettingKind.Section:
                        if (setting.Find(key) is { } known)
                        {
                            setting = known;
                            continue;
                        }

                        var names = new List<string>();
                        foreach (var pair in setting.Keys)
                        {
                            names.Add(pair.Key);
                        }

                        return path + " is not a RoutedPrompts setting: did you mean '" + Nearest(key, names) + "'? The keys here are " + string.Join(", ", names.ToArray()) + ".";
                    case SettingKind.List:
                        if (key.Length > 0 && key.Length < 10 && IsDigits(key))
                        {
                            setting = setting.Element!;
                            continue;
                        }

                        return path + " is not a RoutedPrompts setting: '" + prefix + Join(segments, depth) + "' is a list, whose entries are numbered 0, 1, 2, ...";
                    case SettingKind.Map:
                        setting = setting.Element!;
                        continue;
                    default:
                        return path + " is not a RoutedPrompts setting: '" + prefix + Join(segments, depth) + "' is a value, which has no keys.";
                }
            }

            depth = -1;
            return null;
        }

        /// <summary>The setting a key path names, or <see langword="null"/> when it names none.</summary>
        public static Setting? Find(IReadOnlyList<string> segments)
        {
            return UnknownKey(segments, string.Empty, out _) is null ? Walk(segments) : null;

            static Setting Walk(IReadOnlyList<string> segments)
            {
                var setting = Root;
                foreach (var key in segments)
                {
                    setting = setting.Kind == SettingKind.Section ? setting.Find(key)! : setting.Element!;
                }

                return setting;
            }
        }

        /// <summary>
        /// What is wrong with a value as configuration holds it (text: JSON numbers as written, <c>true</c>/<c>false</c>),
        /// or <see langword="null"/>. The message starts after the path (<c>is 'Huge'; it must be ...</c>).
        /// </summary>
        public static string? ValueProblem(Setting setting, string text)
        {
            switch (setting.Kind)
            {
                case SettingKind.Number:
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsNaN(number) && !double.IsInfinity(number)
                        ? RangeProblem(setting, number)
                        : "is '" + text + "'; it must be a number" + ExampleOf(setting);
                case SettingKind.Integer:
                    return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer)
                        ? RangeProblem(setting, integer)
                        : "is '" + text + "'; it must be a whole number" + ExampleOf(setting);
                case SettingKind.Boolean:
                    return bool.TryParse(text, out _) ? null : "is '" + text + "'; it must be true or false.";
                case SettingKind.Tier:
                    return TierIndex(text) is null ? "is '" + text + "'; it must be a tier name: " + string.Join(", ", TierNames) + "." : null;
                case SettingKind.TimeSpan:
                    return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _) ? null : "is '" + text + "'; it must be a time span such as \"00:00:30\".";
                case SettingKind.UnavailableBehavior:
                    return string.Equals(text, "Escalate", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "Fail", StringComparison.OrdinalIgnoreCase)
                        ? null
                        : "is '" + text + "'; it must be Escalate or Fail.";
                default:
                    return null;
            }
        }

        /// <summary>
        /// What is wrong with a number of <paramref name="setting"/>'s range, or <see langword="null"/>; the message
        /// starts after the path.
        /// </summary>
        public static string? RangeProblem(Setting setting, double value) =>
            value >= setting.Minimum && value <= setting.Maximum
                ? null
                : "is " + value.ToString(CultureInfo.InvariantCulture) + "; it must be " +
                  (double.IsPositiveInfinity(setting.Maximum) || setting.Maximum >= int.MaxValue
                      ? "at least " + setting.Minimum.ToString(CultureInfo.InvariantCulture)
                      : "between " + setting.Minimum.ToString(CultureInfo.InvariantCulture) + " and " + setting.Maximum.ToString(CultureInfo.InvariantCulture)) +
                  ExampleOf(setting);

        /// <summary>A tier's index (Small = 0) by its name, case-insensitively.</summary>
        public static int? TierIndex(string? name)
        {
            for (var i = 0; i < TierNames.Length; i++)
            {
                if (string.Equals(TierNames[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return null;
        }

        /// <summary>The candidate nearest to <paramref name="key"/> by edit distance, ignoring case (the first of equals).</summary>
        public static string Nearest(string key, IEnumerable<string> candidates)
        {
            var best = string.Empty;
            var bestDistance = int.MaxValue;
            foreach (var candidate in candidates)
            {
                var distance = EditDistance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
                if (distance < bestDistance)
                {
                    (best, bestDistance) = (candidate, distance);
                }
            }

            return best;
        }

        /// <summary>The Levenshtein distance between two strings.</summary>
        public static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }

        private static KeyValuePair<string, Setting> Key(string name, SettingKind kind) => new(name, Setting.Value(kind));

        private static string ExampleOf(Setting setting) => setting.Example is null ? "." : " (for example " + setting.Example + ").";

        private static string Join(IReadOnlyList<string> segments, int count)
        {
            var parts = new string[count];
            for (var i = 0; i < count; i++)
            {
                parts[i] = segments[i];
            }

            return string.Join(":", parts);
        }

        private static bool IsDigits(string text)
        {
            foreach (var c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
