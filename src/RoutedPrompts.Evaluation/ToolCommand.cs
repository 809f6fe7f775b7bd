namespace RoutedPrompts.Evaluation;

/// <summary>How a user runs the tool: as a local tool (a tool manifest), <c>dotnet routed-prompts</c>.</summary>
internal static class ToolCommand
{
    /// <summary>The command that runs the tool.</summary>
    public const string Name = "dotnet routed-prompts";

    /// <summary>The command line that runs the tool with <paramref name="arguments"/>.</summary>
    /// <param name="arguments">The verb and its options, e.g. <c>eval --task Support.Triage</c>.</param>
    /// <returns>The command line.</returns>
    public static string Run(string arguments) => $"{Name} {arguments}";
}
