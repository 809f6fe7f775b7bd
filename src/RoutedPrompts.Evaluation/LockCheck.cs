using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>Why <c>routed-prompts check</c> fails a task.</summary>
public enum LockProblemKind
{
    /// <summary>The task has no lock entry.</summary>
    Missing,

    /// <summary>The prompt, schema, eval set or chat options changed since calibration.</summary>
    Stale,

    /// <summary>The recorded cascade falls below the task's bar.</summary>
    BelowBar,

    /// <summary>The entry was calibrated on incomplete evidence (answers missing), or does not record that it was not.</summary>
    Incomplete,
}

/// <summary>One failing task, with what to run.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">The message: the task, the problem and the command that fixes it.</param>
public sealed record LockProblem(string Task, LockProblemKind Kind, string Message);

/// <summary>Checks routed tasks against a lock file (the logic of <c>routed-prompts check</c>).</summary>
public static class LockCheck
{
    /// <summary>The command that re-evaluates and re-calibrates one task.</summary>
    /// <param name="task">The task's name.</param>
    /// <returns>The command line.</returns>
    public static string FixCommand(string task) => $"{ToolCommand.Run($"eval --task {task}")} && {ToolCommand.Run($"calibrate --task {task}")}";

    /// <summary>Checks every task.</summary>
    /// <param name="tasks">The application's routed tasks.</param>
    /// <param name="lockFile">The lock file, or <see langword="null"/> when there is none.</param>
    /// <param name="projectDirectory">The directory eval set paths are relative to.</param>
    /// <param name="routing">
    /// The configuration whose per-task chat options are compared; <see langword="null"/> reads the project's
    /// (<c>routedprompts.json</c> in <paramref name="projectDirectory"/>, then environment variables) as <c>eval</c> does.
    /// </param>
    /// <returns>The problems; empty when every task passes.</returns>
    public static IReadOnlyList<LockProblem> Check(IEnumerable<RoutedTask> tasks, LockFile? lockFile, string projectDirectory, RoutedPromptsOptions? routing = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        routing ??= TaskHashes.ProjectRouting(projectDirectory);
        var problems = new List<LockProblem>();
        foreach (var task in tasks)
        {
            if (lockFile is null || !lockFile.Tasks.TryGetValue(task.Name, out var entry))
            {
                var why = task.EvalSet is null ? $" (it has no eval set either: add EvalSet = \"evals/....jsonl\" to its [RoutedPrompt])" : string.Empty;
                problems.Add(new LockProblem(task.Name, LockProblemKind.Missing, $"{task.Name}: no entry in {LockFile.FileName}{why}. Run: {FixCommand(task.Name)}"));
                continue;
            }

            // The one staleness rule (the build's RP0004 and lock baking apply it too): a hash the entry does not record,
            // or an eval set that is not there, is a change, never a pass.
            var evalSetPath = task.EvalSet is null ? null : Path.Combine(projectDirectory, task.EvalSet);
            var evalSetText = evalSetPath is not null && File.Exists(evalSetPath) ? File.ReadAllText(evalSetPath) : null;
            var changed = entry.Recorded().Changes(TaskHashes.PromptOf(task), TaskHashes.SchemaOf(task), evalSetText is null ? null : RoutedTaskHashing.EvalSetHash(evalSetText), TaskHashes.ChatOptionsOf(task, routing));
            var incomplete = changed.Remove(Shared.LockEntry.IncompleteEvidence);
            if (evalSetText is null && changed.IndexOf("eval set") is var missing and >= 0)
            {
                changed[missing] = $"eval set ({task.EvalSet ?? "none"} not found)";
            }

            if (changed.Count > 0)
            {
                problems.Add(new LockProblem(task.Name, LockProblemKind.Stale,
                    $"{task.Name}: lock entry is stale ({string.Join(", ", changed)} changed since it was calibrated {entry.CalibratedAt:yyyy-MM-dd}). Run: {FixCommand(task.Name)}"));
                continue;
            }

            if (incomplete && entry.EvidenceProblem() is { } evidence)
            {
                problems.Add(new LockProblem(task.Name, LockProblemKind.Incomplete, $"{task.Name}: lock entry {evidence}. Run: {FixCommand(task.Name)}"));
                continue;
            }

            var top = entry.Tiers.Select(t => (Tier: RoutedPromptsShape.TierIndex(t.Key), t.Key, t.Value)).Where(t => t.Tier is not null).OrderBy(t => t.Tier).LastOrDefault();
            if (top.Value is { } topResult && entry.Expected.Accuracy < topResult.Accuracy - entry.Target.MaxAccuracyDrop - 1e-9)
            {
                problems.Add(new LockProblem(task.Name, LockProblemKind.BelowBar, System.FormattableString.Invariant(
                    $"{task.Name}: recorded cascade accuracy {entry.Expected.Accuracy:0.000} is below its bar ({top.Key} {topResult.Accuracy:0.000} minus {entry.Target.MaxAccuracyDrop * 100:0.#} pts). Improve the prompt or eval set, then run: {FixCommand(task.Name)}")));
            }
        }

        return problems;
    }
}
