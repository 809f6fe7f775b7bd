using System.CommandLine;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>routed-prompts</c> command line: one verb per command.</summary>
public static class CliApp
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output goes (a test passes a recording console).</param>
    /// <param name="catalog">
    /// The routed tasks when no <c>--assembly</c> is given (tests), or <see langword="null"/> (the tool) to build the project
    /// in <c>--project-dir</c> and load its output.
    /// </param>
    /// <returns>The exit code.</returns>
    /// <param name="time">The clock stamped into the lock file (default: the system clock).</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var root = new RootCommand("routed-prompts: evaluate, calibrate, check and replay RoutedPrompts cascades.")
        {
            ReplayCommand.Create(console),
            EvalCommand.Create(console, catalog),
            CalibrateCommand.Create(console, catalog, time),
            ReportCommand.Create(console, catalog),
            CheckCommand.Create(console, catalog),
        };
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            // Expected failures (a malformed eval set at file:line, a missing assembly, an invalid configuration): the message, no stack trace.
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
    }
}
