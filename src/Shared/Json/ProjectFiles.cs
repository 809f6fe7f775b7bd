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
        public TaskOverride(double? confidenceThreshold, int? tier, int? maxTier)
        {
            ConfidenceThreshold = confidenceThreshold;
            Tier = tier;
            MaxTier = maxTier;
        }

        public double? ConfidenceThreshold { get; }

        public int? Tier { get; }

        public int? MaxTier { get; }
    }

    /// <summary>
    /// <c>routedprompts.json</c> as the analyzers and tools read it (see docs/file-formats.md): tiers with their ordered
    /// deployments, and per-task overrides. Property names are matched case-insensitively, as the configuration binder does.
    /// </summary>
    internal sealed class RoutedPromptsManifest
    {
        public const string FileName = "routedprompts.json";

        public static readonly string[] TierNames = { "Small", "Medium", "Large" };

        private RoutedPromptsManifest(IReadOnlyList<DeploymentEntry>[] tiers, Dictionary<string, TaskOverride> tasks)
        {
            Tiers = tiers;
            Tasks = tasks;
        }

        /// <summary>Deployments per tier (index = tier: Small, Medium, Large).</summary>
        public IReadOnlyList<DeploymentEntry>[] Tiers { get; }

        /// <summary>Per-task overrides, by task name (case-insensitive).</summary>
        public IReadOnlyDictionary<string, TaskOverride> Tasks { get; }

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

        /// <summary>Reads the file; returns <see langword="null"/> and the error and its offset when it is not usable.</summary>
        public static RoutedPromptsManifest? Read(string text, out string? error, out int errorPosition)
        {
            error = JsonSyntaxChecker.Parse(text, out var root, out errorPosition);
            if (error is not null || root is null)
            {
                return null;
            }

            if (root.Kind != JsonNodeKind.Object)
            {
                (error, errorPosition) = ("the file must be a JSON object with a 'Tiers' property", root.Start);
                return null;
            }

            var tiers = new IReadOnlyList<DeploymentEntry>[TierNames.Length];
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
                    if (TierIndex(tier.Key) is not { } index)
                    {
                        (error, errorPosition) = ("unknown tier '" + tier.Key + "' (expected Small, Medium or Large)", tier.Value.Start);
                        return null;
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

            var tasks = new Dictionary<string, TaskOverride>(StringComparer.OrdinalIgnoreCase);
            if (root.Get("Tasks", ignoreCase: true) is { Kind: JsonNodeKind.Object } tasksNode)
            {
                foreach (var task in tasksNode.Properties)
                {
                    tasks[task.Key] = new TaskOverride(
                        Number(task.Value.Get("ConfidenceThreshold", true)),
                        TierIndex(task.Value.Get("Tier", true)?.Text),
                        TierIndex(task.Value.Get("MaxTier", true)?.Text));
                }
            }

            return new RoutedPromptsManifest(tiers, tasks);
        }

        private static double? Number(JsonNode? node) => node is not null && node.IsNumber(out var value) ? value : null;
    }

    /// <summary>One task's entry in <c>routedprompts.lock.json</c> (what the analyzers compare and the generator bakes).</summary>
    internal sealed class LockEntry : IEquatable<LockEntry>
    {
        public LockEntry(string? promptHash, string? schemaHash, string? evalSetHash, int? startTier = null, IReadOnlyList<KeyValuePair<int, double>>? thresholds = null)
        {
            PromptHash = promptHash;
            SchemaHash = schemaHash;
            EvalSetHash = evalSetHash;
            StartTier = startTier;
            Thresholds = thresholds ?? Array.Empty<KeyValuePair<int, double>>();
        }

        public string? PromptHash { get; }

        public string? SchemaHash { get; }

        public string? EvalSetHash { get; }

        /// <summary><c>startTier</c> as a tier index (Small = 0), or <see langword="null"/> when absent or unknown.</summary>
        public int? StartTier { get; }

        /// <summary><c>thresholds</c>: tier index and minimum confidence, in file order (unknown tiers and values outside [0, 1] dropped).</summary>
        public IReadOnlyList<KeyValuePair<int, double>> Thresholds { get; }

        /// <summary>
        /// What differs between this entry and a task's current hashes ("prompt", "schema", "eval set"); empty when the
        /// entry is current. A hash the entry does not record is not compared (RP0004's rule).
        /// </summary>
        public List<string> Changes(string promptHash, string? schemaHash, string? evalSetHash)
        {
            var changed = new List<string>();
            if (PromptHash is not null && PromptHash != promptHash)
            {
                changed.Add("prompt");
            }

            if (SchemaHash is not null && SchemaHash != schemaHash)
            {
                changed.Add("schema");
            }

            if (EvalSetHash is not null && EvalSetHash != evalSetHash)
            {
                changed.Add("eval set");
            }

            return changed;
        }

        /// <summary>
        /// Whether the entry was calibrated on exactly what the task has now: it records the prompt and eval-set hashes
        /// and nothing differs. Only such an entry is baked into the task descriptor.
        /// </summary>
        public bool IsCurrent(string promptHash, string? schemaHash, string? evalSetHash) =>
            PromptHash is not null && EvalSetHash is not null && Changes(promptHash, schemaHash, evalSetHash).Count == 0;

        /// <summary>Value equality (the generator's pipeline compares entries between runs).</summary>
        public bool Equals(LockEntry? other)
        {
            if (other is null || PromptHash != other.PromptHash || SchemaHash != other.SchemaHash || EvalSetHash != other.EvalSetHash ||
                StartTier != other.StartTier || Thresholds.Count != other.Thresholds.Count)
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

    /// <summary><c>routedprompts.lock.json</c> (docs/file-formats.md): the hashes each task was last evaluated with.</summary>
    internal static class LockFile
    {
        public const string FileName = "routedprompts.lock.json";

        /// <summary>The format version read here (as <c>RoutedPrompts.Evaluation.LockFile.CurrentVersion</c> writes it).</summary>
        public const int Version = 1;

        /// <summary>
        /// The entries by task name, or <see langword="null"/> when the file is not a usable lock file (malformed, or of
        /// another format version, whose hashes and thresholds may mean something else).
        /// </summary>
        public static IReadOnlyDictionary<string, LockEntry>? Read(string text)
        {
            if (JsonSyntaxChecker.Parse(text, out var root, out _) is not null ||
                root?.Get("version") is not { } version || !version.IsNumber(out var number) || number != Version ||
                root.Get("tasks") is not { Kind: JsonNodeKind.Object } tasks)
            {
                return null;
            }

            var entries = new Dictionary<string, LockEntry>(StringComparer.Ordinal);
            foreach (var task in tasks.Properties)
            {
                var thresholds = new List<KeyValuePair<int, double>>();
                foreach (var threshold in task.Value.Get("thresholds") is { Kind: JsonNodeKind.Object } t ? t.Properties : Array.Empty<KeyValuePair<string, JsonNode>>())
                {
                    if (RoutedPromptsManifest.TierIndex(threshold.Key) is { } tier && threshold.Value.IsNumber(out var value) && value >= 0 && value <= 1)
                    {
                        thresholds.Add(new KeyValuePair<int, double>(tier, value));
                    }
                }

                entries[task.Key] = new LockEntry(
                    task.Value.Get("promptHash")?.Text,
                    task.Value.Get("schemaHash")?.Text,
                    task.Value.Get("evalSetHash")?.Text,
                    RoutedPromptsManifest.TierIndex(task.Value.Get("startTier")?.Text),
                    thresholds);
            }

            return entries;
        }

        /// <summary>Whether <paramref name="path"/> names a lock file (by its file name, case-insensitively).</summary>
        public static bool IsLockFile(string path) =>
            string.Equals(path.Substring(Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1), FileName, StringComparison.OrdinalIgnoreCase);
    }
}
