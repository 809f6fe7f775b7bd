using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Issue 10, polish: no stale progress line, no tables wrapped at 80 columns when output is not a terminal, and a lock
/// file that keeps what was not recalibrated byte for byte and writes <c>-&gt;</c> as it is.
/// </summary>
public sealed class ToolOutputPolishTests : IDisposable
{
    private const int Count = 60;
    private const string LongModel = "a-deployment-model-with-a-rather-long-name-2025-01-01";
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-polish-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));

    public ToolOutputPolishTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), $$"""
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small" } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "{{LongModel}}" } ] } } } }
            """);
        var evalSet = new StringBuilder();
        var recording = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            var answer = i % 2 == 0 ? "A" : "B";
            var small = i % 4 == 1 ? "A" : answer; // wrong on a quarter, and unsure then
            var confidence = i % 4 == 1 ? 0.3 : 0.95;
            evalSet.Append(CultureInfo.InvariantCulture, $$"""{"id": "q{{i}}", "inputs": {"question": "Question {{i}}?"}, "expected": "{{answer}}"}""").Append('\n');
            recording.Append(CultureInfo.InvariantCulture, $$$$"""{"messages": [{"role": "system", "content": "Answer A or B."}, {"role": "user", "content": "Q: Question {{{{i}}}}?"}], "responses": {"small": {"text": "{{{{small}}}}", "confidence": {{{{confidence}}}}, "cost_usd": 0.0001}, "{{{{LongModel}}}}": {"text": "{{{{answer}}}}", "cost_usd": 0.001}}}""").Append('\n');
        }

        File.WriteAllText(Path.Combine(_dir, "evals", "answer.jsonl"), evalSet.ToString());
        File.WriteAllText(Path.Combine(_dir, "recording.jsonl"), recording.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedTask<string> Task() => TestTasks.Text("Quiz.Answer", "Answer A or B.", "Q: {question}", ["question"], evalSet: "evals/answer.jsonl");

    private Task<int> Run(Spectre.Console.IAnsiConsole console, params string[] args) =>
        Cli.CliApp.RunAsync([.. args, "--project-dir", _dir], console, () => [Task()], _time);

    [Fact]
    public async Task Eval_leaves_no_stale_progress_line()
    {
        var output = new StringWriter();

        Assert.Equal(0, await Run(Cli.CliApp.OutputConsole(output, redirected: true), "eval", "--replay", Path.Combine(_dir, "recording.jsonl")));

        Assert.DoesNotContain("%", output.ToString().Split('\n').First()); // was "Quiz.Answer: 0%", never updated
        Assert.DoesNotContain("0%", output.ToString());
        Assert.Contains("Quiz.Answer", output.ToString()); // the results table
    }

    [Fact]
    public async Task Tables_do_not_wrap_when_output_is_not_a_terminal()
    {
        var redirected = new StringWriter();
        var terminal = new StringWriter();

        Assert.Equal(0, await Run(Cli.CliApp.OutputConsole(redirected, redirected: true), "eval", "--replay", Path.Combine(_dir, "recording.jsonl")));
        Assert.Equal(0, await Run(Cli.CliApp.OutputConsole(terminal, redirected: false), "eval", "--replay", Path.Combine(_dir, "recording.jsonl")));

        // One table row holds the task, the whole deployment name and its numbers.
        Assert.Contains(redirected.ToString().Split('\n'), line => line.Contains("Quiz.Answer", StringComparison.Ordinal) && line.Contains("replay/" + LongModel, StringComparison.Ordinal) && line.Contains("1.000", StringComparison.Ordinal));
        // What a writer that is no terminal got before: 80 columns, the row wrapped.
        Assert.DoesNotContain(terminal.ToString().Split('\n'), line => line.Contains("replay/" + LongModel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calibrate_keeps_entries_it_did_not_change_byte_for_byte_and_writes_arrows_unescaped()
    {
        var lockPath = Path.Combine(_dir, LockFile.FileName);
        Assert.Equal(0, await Run(new TestConsole(), "eval", "--replay", Path.Combine(_dir, "recording.jsonl")));
        Assert.Equal(0, await Run(new TestConsole(), "calibrate"));
        var first = File.ReadAllText(lockPath);
        var entry = LockFile.Read(lockPath).Tasks["Quiz.Answer"];
        Assert.Contains(" -> ", entry.Reason);
        Assert.Contains(" -> ", first);
        Assert.DoesNotContain("\\u003E", first);
        using (System.Text.Json.JsonDocument.Parse(first))
        {
            // still valid JSON
        }

        // Another task's entry, formatted by hand, with a property this version does not know.
        const string Other = """
            "Other.Task": { "promptHash": "sha256:1", "evalSetHash": "sha256:2", "startTier": "Large",
                            "calibratedAt": "2025-01-01T00:00:00Z", "evidenceComplete": true, "novel": [1, 2], "reason": "Small -\u003E Large" },
            """;
        File.WriteAllText(lockPath, first.Replace("\"tasks\": {", "\"tasks\": {\n    " + Other, StringComparison.Ordinal));
        var withOther = File.ReadAllText(lockPath);

        // Re-calibrating later on the same results changes nothing: not the time, not the other task's text.
        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await Run(new TestConsole(), "calibrate"));

        Assert.Equal(withOther, File.ReadAllText(lockPath));
        Assert.Equal(entry.CalibratedAt, LockFile.Read(lockPath).Tasks["Quiz.Answer"].CalibratedAt);

        // A calibration that changes the entry rewrites it (with the new time); the other entry stays as it was.
        Assert.Equal(0, await Run(new TestConsole(), "calibrate", "--max-drop", "0.2"));

        var after = File.ReadAllText(lockPath);
        Assert.Contains(Other.TrimEnd(',', '\n', '\r', ' '), after);
        Assert.Equal(_time.GetUtcNow(), LockFile.Read(lockPath).Tasks["Quiz.Answer"].CalibratedAt);
        Assert.Equal("Large", LockFile.Read(lockPath).Tasks["Other.Task"].StartTier);
    }
}
