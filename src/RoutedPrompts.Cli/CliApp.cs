using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>routed-prompts</c> command line: one verb per command.</summary>
public static class CliApp
{
    /// <summary>The exit code of a run stopped by Ctrl+C (SIGINT), as shells report a process ended by it.</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>The exit code of a run stopped by SIGTERM.</summary>
    public const int TerminatedExitCode = 143;

    /// <summary>
    /// Runs the tool as a process: output to standard output, errors to standard error, and Ctrl+C (SIGINT) or SIGTERM
    /// stopping the run (exit <see cref="InterruptedExitCode"/> or <see cref="TerminatedExitCode"/>); a second signal
    /// ends the process at once.
    /// </summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunProcessAsync(string[] args)
    {
        using var signals = new TerminationSignals();
        var output = OutputConsole(Console.Out, Console.IsOutputRedirected);
        var errors = OutputConsole(Console.Error, Console.IsErrorRedirected);
        var exit = await RunAsync(args, output, errors: errors, cancellationToken: signals.Token).ConfigureAwait(false);
        return exit == InterruptedExitCode && signals.ExitCode is { } signalled ? signalled : exit;
    }

    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output goes (a test passes a recording console).</param>
    /// <param name="catalog">
    /// The routed tasks when no <c>--assembly</c> is given (tests), or <see langword="null"/> (the tool) to build the project
    /// in <c>--project-dir</c> and load its output.
    /// </param>
    /// <param name="time">The clock stamped into the lock file (default: the system clock).</param>
    /// <param name="errors">Where error messages go (default: <paramref name="console"/>).</param>
    /// <param name="cancellationToken">Stops the run: it ends with <see cref="InterruptedExitCode"/>, keeping what was cached and writing no results.</param>
    /// <returns>The exit code: 0, 1 when a check fails, 2 for an error (a message naming the file and the fix, no stack trace), <see cref="InterruptedExitCode"/> when cancelled.</returns>
    public static async Task<int> RunAsync(
        string[] args, IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog = null, TimeProvider? time = null, IAnsiConsole? errors = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        errors ??= console;
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
            // The caller's token is the only cancellation: System.CommandLine's own signal handling is off (it answers a
            // second signal by throwing from its handler).
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await root.Parse(args).InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]Cancelled.[/] Responses received so far stay in the cache; no results were written.");
            return InterruptedExitCode;
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            // Expected failures (a malformed eval set at file:line, a missing assembly, an invalid configuration): the message, no stack trace.
            errors.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 2;
        }
    }

    /// <summary>How wide output that is not a terminal (a file, a pipe, a CI log) is laid out: wide enough that no table or line wraps.</summary>
    internal const int RedirectedWidth = 1000;

    /// <summary>
    /// A console writing to <paramref name="output"/>. A terminal's width is its window's; output that is not a terminal
    /// has no width (Spectre.Console would assume 80 columns and wrap tables), so it gets <see cref="RedirectedWidth"/>,
    /// and is not interactive (no live display).
    /// </summary>
    internal static IAnsiConsole OutputConsole(TextWriter output, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
            console.Profile.Capabilities.Interactive = false; // no live progress display redrawn into a file
        }

        return console;
    }

    /// <summary>SIGINT and SIGTERM: the first cancels the run; a second is left to the runtime, which ends the process.</summary>
    private sealed class TerminationSignals : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration[] _registrations;
        private int _exitCode;

        public TerminationSignals() => _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Handle(context, InterruptedExitCode)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Handle(context, TerminatedExitCode)),
        ];

        public CancellationToken Token => _cancel.Token;

        /// <summary>The exit code of the first signal, or <see langword="null"/> when none came.</summary>
        public int? ExitCode => Volatile.Read(ref _exitCode) is > 0 and var code ? code : null;

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            _cancel.Dispose();
        }

        private void Handle(PosixSignalContext context, int exitCode)
        {
            if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) == 0)
            {
                context.Cancel = true;
                _ = _cancel.CancelAsync(); // the token's callbacks run on the thread pool, not in the signal handler
            }
        }
    }
}
