#nullable enable
using System;
using System.Collections.Generic;

namespace RoutedPrompts.Shared
{
    /// <summary>One deployment of a tier's chain in <c>routedprompts.json</c>.</summary>
    internal sealed class DeploymentEntry
    {
        public DeploymentEntry(string provider, string model, double? inputPrice, double? outputPrice, JsonNode node)
        {
            Provider = provider;
            Model = model;
            InputPrice = inputPrice;
            OutputPrice = outputPrice;
            Node = node;
        }

        public string Provider { get; }

        public string Model { get; }

        public double? InputPrice { get; }

        public double? OutputPrice { get; }

        /// <summary>The deployment's object in the file (its position).</summary>
        public JsonNode Node { get; }

        /// <summary><c>provider/model</c>.</summary>
        public string Name => Provider + "/" + Model;

        /// <summary>Input plus output price per million tokens, when both are given.</summary>
        public double? Price => InputPrice is { } i && OutputPrice is { } o ? i + o : null;
    }

    /// <summary>A <c>Tasks:&lt;name&gt;</c> override in <c>routedprompts.json</c>.</summary>
    internal sealed class TaskOverride
    {
        public TaskOverride(double? confidenceThreshold, int? tier, int? maxTier, string? chatOptionsHash, int nameStart, int nameLength)
        {
            ConfidenceThreshold = confidenceThreshold;
            Tier = tier;
            MaxTier = maxTier;
            ChatOptionsHash = chatOptionsHash;
            NameStart = nameStart;
            NameLength = nameLength;
        }

        public double? ConfidenceThreshold { get; }

        public int? Tier { get; }

        public int? MaxTier { get; }

        /// <summary><see cref="RoutedTaskHashing.ChatOptionsHash"/> of the task's chat options; <see langword="null"/> when it sets none.</summary>
        public string? ChatOptionsHash { get; }

        /// <summary>Where the task's name is in the file.</summary>
        public int NameStart { get; }

        public int NameLength { get; }
    }

    /// <summary>A routing rule in <c>routedprompts.json</c> (<c>Rules:N</c> or <c>Tasks:&lt;name&gt;:Rules:N</c>), for <see cref="RoutingRules.Check"/>.</summary>
    internal sealed class RuleEntry
    {
        public RuleEntry(RuleSpec spec, string path, string? ownerTask, JsonNode node)
        {
            Spec = spec;
            Path = path;
            OwnerTask = ownerTask;
            Node = node;
        }

        /// <summary>What the rule says (values of the wrong kind, reported as RP0014, are left out).</summary>
        public RuleSpec Spec { get; }

        /// <summary>The rule's configuration path under the section (<c>Tasks:X:Rules:0</c>).</summary>
        public string Path { get; }

        /// <summary>The task whose <c>Rules</c> hold the rule, or <see langword="null"/> for a global rule.</summary>
        public string? OwnerTask { get; }

        /// <summary>The rule's object in the file.</summary>
        public JsonNode Node { get; }

        /// <summary>
        /// Where a problem's key (<see cref="RuleProblem.Key"/>, e.g. <c>When:Pattern</c>) is in the file: its value, or
        /// the rule itself when the key is empty or absent.
        /// </summary>
        public JsonNode Locate(string key)
        {
            var node = Node;
            foreach (var segment in key.Length == 0 ? new string[0] : key.Split(':'))
            {
                var next = node.Kind == JsonNodeKind.Array
                    ? int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < node.Items.Count ? node.Items[index] : null
                    : node.Get(segment, ignoreCase: true);
                if (next is null)
                {
                    break;
                }

                node = next;
            }

            return node;
        }
    }

    /// <summary>Something in <c>routedprompts.json</c> the configuration would reject: an unknown key or an unusable value.</summary>
    internal sealed class ConfigurationProblem
    {
        public ConfigurationProblem(bool unknownKey, string message, int start, int length)
        {
            UnknownKey = unknownKey;
            Message = message;
            Start = start;
            Length = length;
        }

        /// <summary>An unknown (or repeated) key, rather than an unusable value.</summary>
        public bool UnknownKey { get; }

        /// <summary>The message, naming the key's path.</summary>
        public string Message { get; }

        public int Start { get; }

        public int Length { get; }
    }

    /// <summary>
    /// <c>routedprompts.json</c> as the analyzers and tools read it (see docs/file-formats.md): tiers with their ordered
    /// deployments, and per-task overrides. It is read as the runtime reads it (Microsoft.Extensions.Configuration.Json,
    /// then <see cref="RoutedPromptsShape"/>): comments and trailing commas are accepted, a file whose only root key is
    /// <c>RoutedPrompts</c> is unwrapped, and keys are matched case-insensitively, task names exactly.
    /// </summary>
    internal sealed class RoutedPromptsManifest
    {
        public const string FileName = "routedprompts.json";

        private RoutedPromptsManifest(IReadOnlyList<DeploymentEntry>[] tiers, Dictionary<string, TaskOverride> tasks, List<ConfigurationProblem> problems, List<RuleEntry> rules)
        {
            Tiers = tiers;
            Tasks = tasks;
            Problems = problems;
            Rules = rules;
        }

        /// <summary>The routing rules: the global ones (<c>Rules</c>), then each task's (<c>Tasks:&lt;name&gt;:Rules</c>), in document order.</summary>
        public IReadOnlyList<RuleEntry> Rules { get; }

        /// <summary>Deployments per tier (index = tier: Small, Medium, Large).</summary>
        public IReadOnlyList<DeploymentEntry>[] Tiers { get; }

        /// <summary>Per-task overrides, by task name (compared exactly, as the runtime compares them).</summary>
        public IReadOnlyDictionary<string, TaskOverride> Tasks { get; }

        /// <summary>Unknown keys and unusable values, in document order.</summary>
        public IReadOnlyList<ConfigurationProblem> Problems { get; }

        /// <summary>Reads the file; returns <see langword="null"/> and the error and its offset when it is not usable.</summary>
        public static RoutedPromptsManifest? Read(string text, out string? error, out int errorPosition)
        {
            error = JsonSyntaxChecker.Parse(text, out var root, out errorPosition, configuration: true);
            if (error is not null || root is null)
            {
                return null;
            }

            if (root.Kind != JsonNodeKind.Object)
            {
                (error, errorPosition) = ("the file must be a JSON object with a 'Tiers' property", root.Start);
                return null;
            }

            var rootKeys = new List<string>();
            foreach (var property in root.Properties)
            {
                rootKeys.Add(property.Key);
            }

            if (RoutedPromptsShape.IsWrapped(rootKeys))
            {
                root = root.Properties[0].Value;
                if (root.Kind != JsonNodeKind.Object)
                {
                    (error, errorPosition) = ("'" + RoutedPromptsShape.SectionName + "' must be an object with a 'Tiers' property", root.Start);
                    return null;
                }
            }

            var problems = new List<ConfigurationProblem>();
            Check(root, RoutedPromptsShape.Root, new List<string>(), problems);

            var tiers = new IReadOnlyList<DeploymentEntry>[RoutedPromptsShape.TierNames.Length];
            for (var i = 0; i < tiers.Length; i++)
            {
                tiers[i] = Array.Empty<DeploymentEntry>();
            }

            if (root.Get("Tiers", ignoreCase: true) is { } tiersNode)
            {
                if (tiersNode.Kind != JsonNodeKind.Object)
                {
                    (error, errorPosition) = ("'Tiers' must be an object", tiersNode.Start);
                    return null;
                }

                foreach (var tier in tiersNode.Properties)
                {
                    if (RoutedPromptsShape.TierIndex(tier.Key) is not { } index)
                    {
                        continue; // an unknown key (reported with the nearest tier name)
                    }

                    var deployments = tier.Value.Get("Deployments", ignoreCase: true);
                    if (deployments is not null && deployments.Kind != JsonNodeKind.Array)
                    {
                        (error, errorPosition) = ("'Tiers:" + tier.Key + ":Deployments' must be an array", deployments.Start);
                        return null;
                    }

                    var list = new List<DeploymentEntry>();
                    foreach (var item in deployments?.Items ?? Array.Empty<JsonNode>())
                    {
                        if (item.Kind != JsonNodeKind.Object)
                        {
                            (error, errorPosition) = ("a deployment must be an object with 'Provider' and 'Model'", item.Start);
                            return null;
                        }

                        list.Add(new DeploymentEntry(
                            item.Get("Provider", true)?.Text ?? string.Empty,
                            item.Get("Model", true)?.Text ?? string.Empty,
                            Number(item.Get("InputUsdPerMillionTokens", true)),
                            Number(item.Get("OutputUsdPerMillionTokens", true)),
                            item));
                    }

                    tiers[index] = list;
                }
            }

            var rules = new List<RuleEntry>();
            ReadRules(root, RoutingRules.RulesKey, null, rules);
            var tasks = new Dictionary<string, TaskOverride>(StringComparer.Ordinal);
            if (root.Get("Tasks", ignoreCase: true) is { Kind: JsonNodeKind.Object } tasksNode)
            {
                for (var i = 0; i < tasksNode.Properties.Count; i++)
                {
                    var task = tasksNode.Properties[i];
                    tasks[task.Key] = new TaskOverride(
                        Number(task.Value.Get("ConfidenceThreshold", true)),
                        RoutedPromptsShape.TierIndex(task.Value.Get("Tier", true)?.Text),
                        RoutedPromptsShape.TierIndex(task.Value.Get("MaxTier", true)?.Text),
                        RoutedTaskHashing.ChatOptionsHash(
                            Single(task.Value.Get(RoutedPromptsShape.Temperature, true)),
                            Integer(task.Value.Get(RoutedPromptsShape.MaxOutputTokens, true)),
                            Single(task.Value.Get(RoutedPromptsShape.TopP, true)),
                            Integer(task.Value.Get(RoutedPromptsShape.Seed, true))),
                        tasksNode.NameStarts[i],
                        task.Key.Length + 2);
                    if (task.Value.Kind == JsonNodeKind.Object)
                    {
                        ReadRules(task.Value, "Tasks:" + task.Key + ":" + RoutingRules.RulesKey, task.Key, rules);
                    }
                }
            }

            return new RoutedPromptsManifest(tiers, tasks, problems, rules);
        }

        /// <summary>The rules of <paramref name="owner"/>'s <c>Rules</c> array (values of the wrong kind are RP0014's and left out here).</summary>
        private static void ReadRules(JsonNode owner, string path, string? ownerTask, List<RuleEntry> rules)
        {
            if (owner.Get(RoutingRules.RulesKey, ignoreCase: true) is not { Kind: JsonNodeKind.Array } list)
            {
                return;
            }

            for (var i = 0; i < list.Items.Count; i++)
            {
                var rule = list.Items[i];
                if (rule.Kind != JsonNodeKind.Object)
                {
                    continue; // "must be an object" (RP0014)
                }

                var when = rule.Get("When", ignoreCase: true) is { Kind: JsonNodeKind.Object } w ? w : null;
                List<string>? tags = null;
                if (when?.Get("Tags", ignoreCase: true) is { Kind: JsonNodeKind.Array } tagList)
                {
                    tags = new List<string>();
                    foreach (var tag in tagList.Items)
                    {
                        tags.Add(tag.Kind == JsonNodeKind.String ? tag.Text ?? string.Empty : string.Empty);
                    }
                }

                rules.Add(new RuleEntry(
                    new RuleSpec
                    {
                        Name = Text(rule.Get("Name", true)),
                        Task = ownerTask is null ? Text(rule.Get("Task", true)) : null, // under a task, Task is an unknown key (RP0013)
                        Feature = Text(when?.Get("Feature", true)),
                        UserTier = Text(when?.Get("UserTier", true)),
                        Tags = tags,
                        MinInputTokens = Integer(when?.Get("MinInputTokens", true)),
                        MaxInputTokens = Integer(when?.Get("MaxInputTokens", true)),
                        MinPromptLength = Integer(when?.Get("MinPromptLength", true)),
                        MaxPromptLength = Integer(when?.Get("MaxPromptLength", true)),
                        HasCode = Boolean(when?.Get("HasCode", true)),
                        Parameter = Text(when?.Get("Parameter", true)),
                        Pattern = Text(when?.Get("Pattern", true)),
                        StartTier = Text(rule.Get("StartTier", true)),
                        MaxTier = Text(rule.Get("MaxTier", true)),
                    },
                    path + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ownerTask,
                    rule));
            }
        }

        /// <summary>A boolean as configuration binds it (<c>true</c>, or the text "true"), or <see langword="null"/>.</summary>
        private static bool? Boolean(JsonNode? node) =>
            node?.Kind == JsonNodeKind.True ? true
            : node?.Kind == JsonNodeKind.False ? false
            : node?.Kind == JsonNodeKind.String && bool.TryParse(node.Text, out var value) ? value
            : null;

        /// <summary>A value as configuration reads it as text (a string, or a number as written), or <see langword="null"/>.</summary>
        private static string? Text(JsonNode? node) =>
            node is not null && (node.Kind == JsonNodeKind.String || node.Kind == JsonNodeKind.Number) ? node.Text : null;

        /// <summary>Holds the JSON under a setting to <see cref="RoutedPromptsShape"/>: known keys, once each, and usable values.</summary>
        private static void Check(JsonNode node, Setting setting, List<string> path, List<ConfigurationProblem> problems)
        {
            if (node.Kind == JsonNodeKind.Null)
            {
                return; // configuration ignores a null
            }

            var at = path.Count == 0 ? "the root" : string.Join(":", path.ToArray());
            if (setting.IsValue)
            {
                var text = node.Kind switch
                {
                    JsonNodeKind.True => "true",
                    JsonNodeKind.False => "false",
                    JsonNodeKind.Object or JsonNodeKind.Array => null,
                    _ => node.Text ?? string.Empty,
                };
                var problem = text is null ? "is an " + (node.Kind == JsonNodeKind.Object ? "object" : "array") + "; it must be a single value." : RoutedPromptsShape.ValueProblem(setting, text);
                if (problem is not null)
                {
                    problems.Add(new ConfigurationProblem(false, at + " " + problem, node.Start, node.End - node.Start));
                }

                return;
            }

            if (setting.Kind == SettingKind.List)
            {
                if (node.Kind != JsonNodeKind.Array)
                {
                    problems.Add(new ConfigurationProblem(false, at + " must be an array.", node.Start, node.End - node.Start));
                    return;
                }

                for (var i = 0; i < node.Items.Count; i++)
                {
                    path.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Check(node.Items[i], setting.Element!, path, problems);
                    path.RemoveAt(path.Count - 1);
                }

                return;
            }

            if (node.Kind != JsonNodeKind.Object)
            {
                problems.Add(new ConfigurationProblem(false, at + " must be an object.", node.Start, node.End - node.Start));
                return;
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < node.Properties.Count; i++)
            {
                var property = node.Properties[i];
                path.Add(property.Key);
                var nameLength = property.Key.Length + 2;
                if (!seen.Add(property.Key))
                {
                    problems.Add(new ConfigurationProblem(true, string.Join(":", path.ToArray()) + " is given twice (keys are compared ignoring case); remove one.", node.NameStarts[i], nameLength));
                }
                else if (RoutedPromptsShape.UnknownKey(path, string.Empty, out var depth) is { } unknown && depth == path.Count - 1)
                {
                    problems.Add(new ConfigurationProblem(true, unknown, node.NameStarts[i], nameLength));
                }
                else
                {
                    Check(property.Value, setting.Kind == SettingKind.Map ? setting.Element! : setting.Find(property.Key)!, path, problems);
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        private static double? Number(JsonNode? node) =>
            node is not null && (node.Kind == JsonNodeKind.Number || node.Kind == JsonNodeKind.String) &&
            double.TryParse(node.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : null;

        /// <summary>A chat option's fraction as the runtime binds it (a <c>float</c>, parsed from the text directly).</summary>
        private static double? Single(JsonNode? node) =>
            node is not null && (node.Kind == JsonNodeKind.Number || node.Kind == JsonNodeKind.String) &&
            float.TryParse(node.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : null;

        private static long? Integer(JsonNode? node) =>
            node is not null && (node.Kind == JsonNodeKind.Number || node.Kind == JsonNodeKind.String) &&
            long.TryParse(node.Text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : null;
    }

    /// <summary>One task's entry in <c>routedprompts.lock.json</c> (what the analyzers compare and the generator bakes).</summary>
    internal sealed class LockEntry : IEquatable<LockEntry>
    {
        /// <summary>What <see cref="Changes"/> names when the entry was not calibrated on complete eval results.</summary>
        public const string IncompleteEvidence = "incomplete eval evidence";

        public LockEntry(string? promptHash, string? schemaHash, string? evalSetHash, int? startTier = null, IReadOnlyList<KeyValuePair<int, double>>? thresholds = null, string? chatOptionsHash = null, bool evidenceComplete = false)
        {
            EvidenceComplete = evidenceComplete;
            PromptHash = promptHash;
            SchemaHash = schemaHash;
            EvalSetHash = evalSetHash;
            ChatOptionsHash = chatOptionsHash;
            StartTier = startTier;
            Thresholds = thresholds ?? Array.Empty<KeyValuePair<int, double>>();
        }

        public string? PromptHash { get; }

        public string? SchemaHash { get; }

        public string? EvalSetHash { get; }

        /// <summary><c>chatOptionsHash</c>: absent when the task was evaluated without chat options (provider defaults).</summary>
        public string? ChatOptionsHash { get; }

        /// <summary><c>startTier</c> as a tier index (Small = 0), or <see langword="null"/> when absent or unknown.</summary>
        public int? StartTier { get; }

        /// <summary>
        /// <c>evidenceComplete</c> is <see langword="true"/>: the eval results the entry was calibrated on were complete.
        /// <see langword="false"/> when the field is <c>false</c>, absent (an older tool) or not a boolean.
        /// </summary>
        public bool EvidenceComplete { get; }

        /// <summary><c>thresholds</c>: tier index and minimum confidence, in file order (unknown tiers and values outside [0, 1] dropped).</summary>
        public IReadOnlyList<KeyValuePair<int, double>> Thresholds { get; }

        /// <summary>
        /// The one staleness rule (RP0004, the generator's baking, <c>check</c>, <c>calibrate</c> and <c>report</c>): why
        /// this entry does not describe the task as it is now: the hashes that differ ("prompt", "schema", "eval set",
        /// "chat options"), then <see cref="IncompleteEvidence"/> when the entry was not built on complete eval results;
        /// empty when the entry is current. Missing evidence never reads as current: a prompt or eval-set hash the entry
        /// does not record, or a task without an eval set, differs. An absent schema hash means "a text task" and an
        /// absent chat-options hash "no chat options", so each differs from a task that has one.
        /// </summary>
        public List<string> Changes(string? promptHash, string? schemaHash, string? evalSetHash, string? chatOptionsHash)
        {
            var changed = new List<string>();
            if (PromptHash is null || PromptHash != promptHash)
            {
                changed.Add("prompt");
            }

            if (SchemaHash != schemaHash)
            {
                changed.Add("schema");
            }

            if (EvalSetHash is null || EvalSetHash != evalSetHash)
            {
                changed.Add("eval set");
            }

            if (ChatOptionsHash != chatOptionsHash)
            {
                changed.Add("chat options");
            }

            if (!EvidenceComplete)
            {
                changed.Add(IncompleteEvidence);
            }

            return changed;
        }

        /// <summary>
        /// Whether the entry was calibrated, on complete evidence, on exactly what the task has now (<see cref="Changes"/>
        /// finds nothing). Only such an entry is baked into the task descriptor. The chat options are configuration
        /// (which the generator does not read), so they are not compared here; RP0004 and <c>check</c> compare them.
        /// </summary>
        public bool IsCurrent(string promptHash, string? schemaHash, string? evalSetHash) =>
            Changes(promptHash, schemaHash, evalSetHash, ChatOptionsHash).Count == 0;

        /// <summary>Value equality (the generator's pipeline compares entries between runs).</summary>
        public bool Equals(LockEntry? other)
        {
            if (other is null || PromptHash != other.PromptHash || SchemaHash != other.SchemaHash || EvalSetHash != other.EvalSetHash || ChatOptionsHash != other.ChatOptionsHash ||
                EvidenceComplete != other.EvidenceComplete || StartTier != other.StartTier || Thresholds.Count != other.Thresholds.Count)
            {
                return false;
            }

            for (var i = 0; i < Thresholds.Count; i++)
            {
                if (Thresholds[i].Key != other.Thresholds[i].Key || !Thresholds[i].Value.Equals(other.Thresholds[i].Value))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as LockEntry);

        public override int GetHashCode() =>
            ((PromptHash?.GetHashCode() ?? 0) * 31 + (EvalSetHash?.GetHashCode() ?? 0)) * 31 + Thresholds.Count;
    }

    /// <summary>
    /// <c>routedprompts.lock.json</c> (docs/file-formats.md): the hashes each task was last evaluated with. The one reader
    /// of the format (file name, version, <c>tasks</c> by name): the generator and analyzers take its entries, the eval
    /// tool (<c>RoutedPrompts.Evaluation.LockFile</c>) reads its own sections from each entry's JSON.
    /// </summary>
    internal static class LockFile
    {
        public const string FileName = "routedprompts.lock.json";

        /// <summary>The format version read here (and the one the eval tool writes).</summary>
        public const int Version = 1;

        /// <summary>
        /// The entries by task name, or <see langword="null"/> when the file is not a usable lock file (malformed, or of
        /// another format version, whose hashes and thresholds may mean something else).
        /// </summary>
        public static IReadOnlyDictionary<string, LockEntry>? Read(string text) => Parse(text, out _)?.Entries;

        /// <summary>Reads the file; <see langword="null"/> and why (in words, with the fix) when it is not a usable lock file.</summary>
        public static LockDocument? Parse(string text, out string? error)
        {
            if (JsonSyntaxChecker.Parse(text, out var root, out var position) is { } syntax)
            {
                error = "not valid JSON (" + syntax + " at offset " + position.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
                return null;
            }

            if (root!.Kind != JsonNodeKind.Object)
            {
                error = "a lock file is a JSON object with 'version' and 'tasks'";
                return null;
            }

            if (root.Get("version") is not { } version)
            {
                error = "'version' is missing (add \"version\": " + Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
                return null;
            }

            if (!version.IsNumber(out var number) || number != Version)
            {
                error = "lock file version " + (version.Text ?? version.Kind.ToString()) + " is not supported (this version of RoutedPrompts reads version " +
                    Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "; update it)";
                return null;
            }

            var tasks = root.Get("tasks");
            if (tasks is not null && tasks.Kind != JsonNodeKind.Object)
            {
                error = "'tasks' must be an object of entries by task name";
                return null;
            }

            var entries = new Dictionary<string, LockEntry>(StringComparer.Ordinal);
            var nodes = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
            foreach (var task in tasks?.Properties ?? Array.Empty<KeyValuePair<string, JsonNode>>())
            {
                nodes[task.Key] = task.Value; // a repeated name: the last one, as JSON readers take it
                var thresholds = new List<KeyValuePair<int, double>>();
                foreach (var threshold in task.Value.Get("thresholds") is { Kind: JsonNodeKind.Object } t ? t.Properties : Array.Empty<KeyValuePair<string, JsonNode>>())
                {
                    if (RoutedPromptsShape.TierIndex(threshold.Key) is { } tier && threshold.Value.IsNumber(out var value) && value >= 0 && value <= 1)
                    {
                        thresholds.Add(new KeyValuePair<int, double>(tier, value));
                    }
                }

                entries[task.Key] = new LockEntry(
                    task.Value.Get("promptHash")?.Text,
                    task.Value.Get("schemaHash")?.Text,
                    task.Value.Get("evalSetHash")?.Text,
                    RoutedPromptsShape.TierIndex(task.Value.Get("startTier")?.Text),
                    thresholds,
                    task.Value.Get("chatOptionsHash")?.Text,
                    task.Value.Get("evidenceComplete")?.Kind == JsonNodeKind.True);
            }

            error = null;
            return new LockDocument(entries, nodes);
        }

        /// <summary>Whether <paramref name="path"/> names a lock file (by its file name, case-insensitively).</summary>
        public static bool IsLockFile(string path) => ProjectFileSelection.HasName(path, FileName);
    }

    /// <summary>A lock file as read: the entries the build compares and bakes, and each entry's JSON (positions into the text).</summary>
    internal sealed class LockDocument
    {
        public LockDocument(IReadOnlyDictionary<string, LockEntry> entries, IReadOnlyDictionary<string, JsonNode> entryNodes)
        {
            Entries = entries;
            EntryNodes = entryNodes;
        }

        /// <summary>The entries by task name.</summary>
        public IReadOnlyDictionary<string, LockEntry> Entries { get; }

        /// <summary>Each entry's JSON by task name, for a tool that reads the sections the build does not.</summary>
        public IReadOnlyDictionary<string, JsonNode> EntryNodes { get; }
    }
}
