using System.Diagnostics;
using System.Globalization;
using System.Text;
using RoutedPrompts.Cli;
using RoutedPrompts.EndToEnd.Tests;
using RoutedPrompts.Testing;
using Xunit.Abstractions;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Ctrl+C and SIGTERM during <c>eval</c> (issue 9, item 10), on the tool run as a process: the sample application's
/// reply task is evaluated one request at a time against a loopback OpenAI-compatible server that answers the first
/// requests and then hangs; the signal is sent while a request hangs. The run stops, keeps the answers it had cached
/// (complete, valid entries, no temporary files), writes no results, and exits 130 for SIGINT and 143 for SIGTERM.
/// </summary>
public sealed class EvalCancellationTests(ITestOutputHelper output) : IDisposable
{
    private const string Task = "SupportPrompts.DraftReply";
    private const string SmallModel = "gpt-4o-mini";
    private const int Answered = 5;
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-cancel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableTheory]
    [InlineData("INT", CliApp.InterruptedExitCode)]
    [InlineData("TERM", CliApp.TerminatedExitCode)]
    [InlineData("INT TERM", null)] // a second signal ends the process at once: 130 or 143, whichever got there first
    public async Task A_signal_stops_eval_keeping_the_cache_and_writing_no_results(string signals, int? expectedExit)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "sends POSIX signals with kill(1)");
        await using var server = await OpenAITestServer.StartAsync();
        server.HangLimit = TimeSpan.FromMinutes(5);
        server.Answer = request => new ServerAnswer("Thanks for writing; here is how: " + request.UserText.Length.ToString(CultureInfo.InvariantCulture));
        server.Schedule(SmallModel, Enumerable.Repeat(Fault.None, Answered).ToArray()).Rates(SmallModel, new FaultRates(Hang: 1));
        var sample = Path.Combine(DotnetCli.RepoRoot, "samples", "SupportTriage");
        File.Copy(Path.Combine(sample, "routedprompts.json"), Path.Combine(_dir, "routedprompts.json"));
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllLines(Path.Combine(_dir, "evals", "reply.jsonl"), Enumerable.Range(0, 20).Select(i =>
            $$"""{"inputs": {"ticket": "Ticket number {{i}}: how do I change my email?", "maxWords": 60}, "expected": "Open Settings."}"""));

        using var tool = StartTool(server, "eval", "--task", Task, "--concurrency", "1");
        var stdout = tool.StandardOutput.ReadToEndAsync();
        var stderr = tool.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (server.RequestsFor(SmallModel) <= Answered && !tool.HasExited && DateTime.UtcNow < deadline)
        {
            await System.Threading.Tasks.Task.Delay(50);
        }

        Assert.True(server.RequestsFor(SmallModel) > Answered, $"the hanging request never came (exited: {tool.HasExited})");
        await System.Threading.Tasks.Task.Delay(200); // the hanging request is in the router's hands
        foreach (var signal in signals.Split(' '))
        {
            using var kill = Process.Start("kill", ["-" + signal, tool.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await tool.WaitForExitAsync(timeout.Token); // generous: a run that ignores the signal fails here
        }

        var text = await stdout + await stderr;
        output.WriteLine($"exit {tool.ExitCode}\n{text}");
        if (expectedExit is { } exit)
        {
            Assert.Equal(exit, tool.ExitCode);
            Assert.Contains("Cancelled.", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(tool.ExitCode, new[] { CliApp.InterruptedExitCode, CliApp.TerminatedExitCode });
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);

        // What was answered before the signal is cached, complete and valid; nothing half-written; no results.
        var cache = Path.Combine(_dir, ".routedprompts", "cache");
        var entries = Directory.GetFiles(cache, "*.json");
        Assert.Equal(Answered, entries.Length);
        Assert.All(entries, entry => Assert.StartsWith("Thanks for writing", DiskCacheChatClient.Read(File.ReadAllText(entry), entry).Text, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(cache).Except(entries));
        Assert.False(File.Exists(EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), Task)));
    }

    /// <summary>Starts the built tool on the sample's built assembly with the loopback server as its OpenAI provider.</summary>
    private Process StartTool(OpenAITestServer server, params string[] args)
    {
        var tool = Path.Combine(DotnetCli.RepoRoot, "src", "RoutedPrompts.Cli", "bin", DotnetCli.Configuration, "net10.0", "routed-prompts.dll");
        var assembly = Path.Combine(DotnetCli.RepoRoot, "samples", "SupportTriage", "bin", DotnetCli.Configuration, "net10.0", "SupportTriage.dll");

        // A test host started in the background may ignore SIGINT, and a child inherits that: reset it to the default.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in (string[])["--default-signal=INT", "dotnet", tool, .. args, "--assembly", assembly, "--project-dir", _dir])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENAI_API_KEY"] = server.ApiKey;
        start.Environment["OPENAI_BASE_URL"] = server.Endpoint.ToString();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the tool.");
    }
}
