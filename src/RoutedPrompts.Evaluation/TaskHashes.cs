using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// The hashes of what a routed task is now (prompt, schema, eval set), as the lock file, eval results and staleness
/// checks record and compare them. Recomputed from the task's text with <see cref="RoutedTaskHashing"/> (the definitions
/// the generator and analyzers use), so a hand-built descriptor hashes the same way as a generated one.
/// </summary>
/// <param name="Prompt">Hash of the instructions and template.</param>
/// <param name="Schema">Hash of the schema, <see langword="null"/> for text tasks.</param>
/// <param name="EvalSet">Hash of the eval set's text.</param>
internal sealed record TaskHashes(string Prompt, string? Schema, string EvalSet)
{
    /// <summary>The task's current hashes with the given eval set text.</summary>
    public static TaskHashes Of(RoutedTask task, string evalSetText) =>
        new(PromptOf(task), SchemaOf(task), RoutedTaskHashing.EvalSetHash(evalSetText));

    /// <summary>Hash of the task's instructions and template.</summary>
    public static string PromptOf(RoutedTask task) => RoutedTaskHashing.PromptHash(task.Instructions, task.Template);

    /// <summary>Hash of the task's schema, <see langword="null"/> for text tasks.</summary>
    public static string? SchemaOf(RoutedTask task) => task.SchemaJson is null ? null : RoutedTaskHashing.SchemaHash(task.SchemaJson);
}
