using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Broken files and configuration given to the tool (issue 9, items 4 and 5): every one ends with a message naming the
/// file (and line, where there is one), no stack trace, a non-zero exit, and nothing overwritten. Evaluating nothing is
/// never a success.
/// </summary>
public sealed class ToolInputErrorTests : IDisposable
{
    private const int Count = 12;
    private const string Task = "Quiz.Answer";
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-hostile-").FullName;

    public ToolInputErrorTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        WriteConfig("""
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small" } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "large" } ] } } } }
            """);
        var evalSet = new StringBuilder();
        var recording = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            var answer = i % 2 == 0 ? "A" : "B";
            var split = i < Count / 2 ? "train" : "test";
            evalSet.Append(CultureInfo.InvariantCulture, $$"""{"id": "q{{i}}", "inputs": {"question": "Question {{i}}?"}, "expected": "{{answer}}"}""").Append('\n');
            recording.Append(CultureInfo.InvariantCulture, $$$$"""{"id": "r{{{{i}}}}", "split": "{{{{split}}}}", "messages": [{"role": "system", "content": "Answer A or B."}, {"role": "user", "content": "Q: Question {{{{i}}}}?"}], "responses": {"small": {"text": "{{{{answer}}}}", "confidence": 0.9, "cost_usd": 0.0001, "correct": true}, "large": {"text": "{{{{answer}}}}", "confidence": 0.99, "cost_usd": 0.001, "correct": true}}}""").Append('\n');
        }

        File.WriteAllText(Path.Combine(_dir, "evals", "answer.jsonl"), evalSet.ToString());
        File.WriteAllText(Recording, recording.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Recording => Path.Combine(_dir, "recording.jsonl");

    private string ConfigPath => Path.Combine(_dir, "routedprompts.json");

    private string LockPath => Path.Combine(_dir, LockFile.FileName);

    private string ResultsPath => EvalRun.PathFor(Path.Combine(_dir, ".routedprompts", "eval"), Task);

    private string CacheDirectory => Path.Combine(_dir, ".routedprompts", "cache");

    private void WriteConfig(string json) => File.WriteAllText(Path.Combine(_dir, "routedprompts.json"), json);

    private static RoutedTask<string> QuizTask() => TestTasks.Text(Task, "Answer A or B.", "Q: {question}", ["question"], evalSet: "evals/answer.jsonl");

    private async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var exit = await Cli.CliApp.RunAsync([.. args, "--project-dir", _dir], console, () => [QuizTask()]);
        return (exit, console.Output.Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    private Task<(int Exit, string Output)> Eval() => Run("eval", "--replay", Recording);

    /// <summary>A failed run: non-zero exit, the message names <paramref name="names"/>, and no stack trace.</summary>
    private static void AssertCleanError((int Exit, string Output) run, params string[] names)
    {
        Assert.True(run.Exit != 0, $"exit 0: {run.Output}");
        foreach (var name in names)
        {
            Assert.Contains(name, run.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
    }

    /// <summary>Runs eval and calibrate successfully, so there are results, a cache and a lock entry to break.</summary>
    private async Task<string> EvaluatedAndCalibrated()
    {
        Assert.Equal(0, (await Eval()).Exit);
        Assert.Equal(0, (await Run("calibrate")).Exit);
        Assert.Equal(0, (await Run("check")).Exit);
        return File.ReadAllText(ResultsPath);
    }

    // ---- Lock file (item 4) ----

    public static TheoryData<string, string> BrokenLockEntries => new()
    {
        { "null entry", """{"version": 1, "tasks": {"Quiz.Answer": null}}""" },
        { "null tasks", """{"version": 1, "tasks": null}""" },
        { "null expected", "expected=null" },
        { "null tiers", "tiers=null" },
        { "null tier result", "tiers.Large=null" },
        { "null target", "target=null" },
        { "null thresholds", "thresholds=null" },
        { "unknown start tier", "startTier=\"Gigantic\"" },
        { "numeric start tier", "startTier=\"5\"" },
        { "negative threshold", "thresholds.Small=-3" },
        { "threshold above 1", "thresholds.Small=1.5" },
        { "NaN threshold", "thresholds.Small=\"NaN\"" },
        { "threshold of an unknown tier", "thresholds.Huge=0.5" },
        { "unknown tier result", "tiers.Gigantic={\"accuracy\": 1}" },
        { "accuracy above 1", "expected.accuracy=3" },
    };

    [Theory]
    [MemberData(nameof(BrokenLockEntries))]
    public async Task Check_rejects_a_broken_lock_entry_naming_the_file(string name, string edit)
    {
        await EvaluatedAndCalibrated();
        if (edit.StartsWith('{'))
        {
            File.WriteAllText(LockPath, edit);
        }
        else
        {
            // path=value applied to the calibrated entry (so its hashes are current: only the edit is wrong).
            var (path, value) = (edit[..edit.IndexOf('=', StringComparison.Ordinal)], edit[(edit.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            var root = JsonNode.Parse(File.ReadAllText(LockPath))!;
            JsonNode target = root["tasks"]![Task]!;
            var parts = path.Split('.');
            foreach (var part in parts[..^1])
            {
                target = target[part]!;
            }

            target[parts[^1]] = JsonNode.Parse(value);
            File.WriteAllText(LockPath, root.ToJsonString());
        }

        var check = await Run("check");

        AssertCleanError(check, LockPath);
        Assert.True(check.Exit != 0, name);
    }

    // ---- Eval results (item 4) ----

    [Theory]
    [InlineData("{\"task\": \"Quiz.Answer\", \"records\": [")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"task\": \"Quiz.Answer\", \"promptHash\": \"p\", \"evalSetHash\": \"e\", \"examples\": [\"q0\"], \"records\": [null]}")]
    [InlineData("{\"task\": \"Quiz.Answer\", \"promptHash\": null, \"evalSetHash\": \"e\", \"examples\": null, \"records\": []}")]
    public async Task Calibrate_and_report_reject_corrupt_eval_results_naming_the_file(string content)
    {
        await EvaluatedAndCalibrated();
        var lockBefore = File.ReadAllText(LockPath);
        File.WriteAllText(ResultsPath, content);

        AssertCleanError(await Run("calibrate"), ResultsPath);
        Assert.Equal(lockBefore, File.ReadAllText(LockPath)); // nothing overwritten
        AssertCleanError(await Run("report"), ResultsPath);
    }

    // ---- Configuration (item 4) ----

    [Theory]
    [InlineData("-1", "InputUsdPerMillionTokens")]
    [InlineData("\"abc\"", "InputUsdPerMillionTokens")]
    public async Task Eval_rejects_an_invalid_price_naming_the_configuration_and_writes_nothing(string price, string field)
    {
        var results = await EvaluatedAndCalibrated();
        WriteConfig($$"""
            { "RoutedPrompts": { "Tiers": {
                "Small": { "Deployments": [ { "Provider": "replay", "Model": "small", "InputUsdPerMillionTokens": {{price}} } ] },
                "Large": { "Deployments": [ { "Provider": "replay", "Model": "large" } ] } } } }
            """);

        var eval = await Eval();

        AssertCleanError(eval, ConfigPath, "RoutedPrompts:Tiers:Small:Deployments:0:" + field);
        Assert.Equal(results, File.ReadAllText(ResultsPath));
    }

    [Theory]
    [InlineData(null, "routedprompts.json")]
    [InlineData("""{ "Tiers": 5 }""", "no deployment")]
    [InlineData("""{ "Tiers": { } }""", "no deployment")]
    [InlineData("""{ "Tiers": { "Large": { "Deployments": [ ] } } }""", "no deployment")]
    public async Task Eval_that_would_evaluate_nothing_is_an_error_and_writes_nothing(string? config, string why)
    {
        var results = await EvaluatedAndCalibrated();
        if (config is null)
        {
            File.Delete(ConfigPath);
        }
        else
        {
            WriteConfig(config);
        }

        var eval = await Eval();

        AssertCleanError(eval, ConfigPath, why);
        Assert.Equal(results, File.ReadAllText(ResultsPath));
    }

    [Fact]
    public async Task Eval_of_an_empty_eval_set_or_of_no_task_with_an_eval_set_is_an_error()
    {
        var results = await EvaluatedAndCalibrated();
        var evalSet = Path.Combine(_dir, "evals", "answer.jsonl");
        File.WriteAllText(evalSet, "\n");

        AssertCleanError(await Eval(), evalSet, "no examples");
        Assert.Equal(results, File.ReadAllText(ResultsPath));

        var console = new TestConsole();
        var noSet = TestTasks.Text(Task, "Answer A or B.", "Q: {question}", ["question"], evalSet: null);
        var exit = await Cli.CliApp.RunAsync(["eval", "--replay", Recording, "--project-dir", _dir], console, () => [noSet]);
        AssertCleanError((exit, console.Output), "no eval set");
    }

    // ---- Recorded runs (item 4) ----

    [Fact]
    public async Task Replay_and_eval_reject_an_impossible_recorded_cost_naming_file_and_line()
    {
        var results = await EvaluatedAndCalibrated();
        var lines = File.ReadAllLines(Recording);
        lines[2] = lines[2].Replace("\"cost_usd\": 0.001", "\"cost_usd\": 1e300", StringComparison.Ordinal);
        File.WriteAllLines(Recording, lines);

        var console = new TestConsole();
        var exit = await Cli.CliApp.RunAsync(["replay", Recording], console);
        AssertCleanError((exit, console.Output.Replace("\n", string.Empty, StringComparison.Ordinal)), $"{Recording}:3", "cost_usd");

        AssertCleanError(await Eval(), $"{Recording}:3", "cost_usd");
        Assert.Equal(results, File.ReadAllText(ResultsPath));
    }

    // ---- Response cache (item 5) ----

    public static TheoryData<string, byte[]> CorruptCacheEntries => new()
    {
        { "binary", [0x00, 0xFF, 0xFE, 0x01, 0x80, 0x7B] },
        { "truncated", Encoding.UTF8.GetBytes("{\"Text\": \"A\", \"Inpu") },
        { "empty", [] },
        { "null", Encoding.UTF8.GetBytes("null") },
        { "array", Encoding.UTF8.GetBytes("[]") },
        { "number", Encoding.UTF8.GetBytes("42") },
        { "deep", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)) },
        { "null text", Encoding.UTF8.GetBytes("{\"Text\": null, \"InputTokens\": 20, \"OutputTokens\": 1}") },
        { "no text", Encoding.UTF8.GetBytes("{\"InputTokens\": 20}") },
        { "negative tokens", Encoding.UTF8.GetBytes("{\"Text\": \"A\", \"InputTokens\": -1000000000, \"OutputTokens\": 1}") },
        { "impossible tokens", Encoding.UTF8.GetBytes("{\"Text\": \"A\", \"InputTokens\": 9223372036854775807, \"OutputTokens\": 1}") },
        { "blank finish reason", Encoding.UTF8.GetBytes("{\"Text\": \"A\", \"FinishReason\": \" \"}") },
    };

    [Fact]
    public async Task Recording_over_the_replayed_recording_is_refused_before_any_call()
    {
        // The recorder writes only what this run asked for: saving it over the recording being replayed would lose the rest.
        var before = File.ReadAllBytes(Recording);

        var eval = await Run("eval", "--replay", Recording, "--record", Recording);

        AssertCleanError(eval, Recording, "--record");
        Assert.False(File.Exists(ResultsPath));
        Assert.Equal(before, File.ReadAllBytes(Recording));
    }

    [Theory]
    [MemberData(nameof(CorruptCacheEntries))]
    public async Task A_corrupt_cache_entry_stops_eval_naming_the_file(string name, byte[] content)
    {
        var results = await EvaluatedAndCalibrated();
        var entry = Directory.GetFiles(CacheDirectory, "*.json").Order(StringComparer.Ordinal).First();
        File.WriteAllBytes(entry, content);

        var eval = await Eval();

        AssertCleanError(eval, entry);
        Assert.True(eval.Exit != 0, name);
        Assert.Equal(results, File.ReadAllText(ResultsPath)); // not re-scored as provider errors
        Assert.Equal(content, File.ReadAllBytes(entry)); // not replaced behind the user's back
    }
}
