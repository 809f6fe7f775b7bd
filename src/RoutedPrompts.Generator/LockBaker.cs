using System;
using System.Linq;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>
    /// Bakes <c>routedprompts.lock.json</c> into the task descriptors: a task whose lock entry is current (prompt, schema
    /// and eval-set hashes match, and it was calibrated on complete eval results: <see cref="LockEntry.IsCurrent"/>) gets
    /// the entry's start tier (never below the attribute's, never above its max tier), its per-tier confidence
    /// thresholds and its start-tier classifier (a well-formed model of the feature version the runtime computes). A stale, incomplete or missing entry bakes nothing; reporting it is RP0004's job.
    /// </summary>
    internal static class LockBaker
    {
        /// <summary>
        /// The entries of the lock file that counts (<see cref="ProjectFileSelection.Lock"/>), ordered by task name;
        /// empty when there is none or it is not a usable lock file.
        /// </summary>
        public static EquatableArray<LockedTask> Entries(SelectedFile? file)
        {
            var entries = file is null ? null : LockFile.Read(file.Text);
            return entries is null
                ? EquatableArray<LockedTask>.Empty
                : entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new LockedTask { Name = e.Key, Entry = e.Value }).ToEquatableArray();
        }

        /// <summary>The model with its descriptor's start tier and thresholds taken from a current lock entry, if any.</summary>
        public static TaskModel Bake(TaskModel model, string? evalSetHash, EquatableArray<LockedTask> entries)
        {
            if (model.Descriptor is not { } descriptor ||
                entries.FirstOrDefault(e => e.Name == descriptor.Name) is not { } locked ||
                !locked.Entry.IsCurrent(descriptor.PromptHash, model.IsText ? null : descriptor.SchemaHash, evalSetHash))
            {
                return model;
            }

            var entry = locked.Entry;
            var start = TierRange.Reachable(descriptor.Tier, descriptor.MaxTier, entry.StartTier).First;
            var thresholds = entry.Thresholds.Select(t => new TierThreshold { Tier = t.Key, Threshold = t.Value }).ToEquatableArray();
            return model with { Descriptor = descriptor with { Tier = start, Lock = new LockBaking { AttributeTier = descriptor.Tier, StartTier = entry.StartTier, Thresholds = thresholds, Classifier = ClassifierBaking.Of(entry.Classifier) } } };
        }
    }
}
