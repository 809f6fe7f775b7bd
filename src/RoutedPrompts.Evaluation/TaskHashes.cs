using Microsoft.Extensions.Configuration;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// The hashes of what a routed task is now (prompt, schema, eval set, chat options), as the lock file, eval results and
/// staleness checks record and compare them. Recomputed from the task's text and configuration with
/// <see cref="RoutedTaskHashing"/> (the definitions the generator and analyzers use), so a hand-built descriptor hashes
/// the same way as a generated one.
/// </summary>
/// <param name="Prompt">Hash of the instructions and template.</param>
/// <param name="Schema">Hash of the schema, <see langword="null"/> for text tasks.</param>
/// <param name="EvalSet">Hash of the eval set's text.</param>
/// <param name="ChatOptions">Hash of the task's configured chat options, <see langword="null"/> when it sets none.</param>
internal sealed record TaskHashes(string Prompt, string? Schema, string EvalSet, string? ChatOptions)
{
    /// <summary>The task's current hashes with the given eval set text and configuration (<see langword="null"/>: no chat options).</summary>
    public static TaskHashes Of(RoutedTask task, string evalSetText, RoutedPromptsOptions? routing) =>
        new(PromptOf(task), SchemaOf(task), RoutedTaskHashing.EvalSetHash(evalSetText), ChatOptionsOf(task, routing));

    /// <summary>
    /// What changed between the eval results and now, by the one staleness rule (<c>RoutedPrompts.Shared.LockEntry.Changes</c>:
    /// a hash the results do not record is a change).
    /// </summary>
    public List<string> ChangedSince(EvalRun run) =>
        new Shared.LockEntry(run.PromptHash, run.SchemaHash, run.EvalSetHash, chatOptionsHash: run.ChatOptionsHash, evidenceComplete: true).Changes(Prompt, Schema, EvalSet, ChatOptions);

    /// <summary>
    /// How to name a change found by <c>LockEntry.Changes</c> in a message: <paramref name="code"/> when the prompt,
    /// schema or eval set changed, else <paramref name="chatOptions"/> when they did; <see langword="null"/> when only the
    /// evidence is incomplete or nothing changed.
    /// </summary>
    public static string? Different(List<string> changes, string code, string chatOptions) =>
        changes.Exists(c => c is "prompt" or "schema" or "eval set") ? code
        : changes.Contains("chat options") ? chatOptions
        : null;

    /// <summary>Hash of the task's instructions and template.</summary>
    public static string PromptOf(RoutedTask task) => RoutedTaskHashing.PromptHash(task.Instructions, task.Template);

    /// <summary>Hash of the task's schema, <see langword="null"/> for text tasks.</summary>
    public static string? SchemaOf(RoutedTask task) => task.SchemaJson is null ? null : RoutedTaskHashing.SchemaHash(task.SchemaJson);

    /// <summary>Hash of the chat options <paramref name="routing"/> sets for the task (<c>Tasks:&lt;name&gt;</c>), <see langword="null"/> when none.</summary>
    public static string? ChatOptionsOf(RoutedTask task, RoutedPromptsOptions? routing) =>
        TaskChatOptions.Of(routing?.Tasks.GetValueOrDefault(task.Name)) is { } sent
            ? RoutedTaskHashing.ChatOptionsHash(sent.Temperature, sent.MaxOutputTokens, sent.TopP, sent.Seed)
            : null;

    /// <summary>
    /// The project's RoutedPrompts configuration as <c>eval</c> reads it (<see cref="ProjectConfiguration(string, bool)"/>),
    /// bound without validation, for comparing chat options; empty when there is no file.
    /// </summary>
    public static RoutedPromptsOptions ProjectRouting(string projectDirectory)
    {
        var options = new RoutedPromptsOptions();
        ProjectConfiguration(projectDirectory, optional: true).GetSection(RoutedPromptsOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>
    /// The one definition of where the tool reads an application's RoutedPrompts configuration: <c>routedprompts.json</c>
    /// in the project directory, then <c>RoutedPrompts__</c> environment variables (as the application's host adds them).
    /// </summary>
    /// <param name="projectDirectory">The application's project directory.</param>
    /// <param name="optional">Whether a missing routedprompts.json reads as empty rather than throwing.</param>
    /// <returns>The configuration.</returns>
    public static IConfigurationRoot ProjectConfiguration(string projectDirectory, bool optional) =>
        new ConfigurationBuilder()
            .AddRoutedPromptsFile(Path.Combine(Path.GetFullPath(projectDirectory), "routedprompts.json"), optional)
            .AddEnvironmentVariables()
            .Build();
}
