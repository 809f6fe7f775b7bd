using System.CommandLine;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>routed-prompts</c> command line: one verb per command.</summary>
public static class CliApp
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output goes (a test passes a recording console).</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console)
    {
        var root = new RootCommand("routed-prompts: evaluate, calibrate, check and replay RoutedPrompts cascades.")
        {
            ReplayCommand.Create(console),
        };
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
