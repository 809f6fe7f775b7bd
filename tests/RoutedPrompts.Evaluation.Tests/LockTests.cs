using RoutedPrompts.Shared;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

public sealed class LockTests : IDisposable
{
    private const string EvalSetText = "{\"inputs\": {\"ticket\": \"t\"}, \"expected\": \"x\"}\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-lock-").FullName;

    public LockTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "evals"));
        File.WriteAllText(Path.Combine(_dir, "evals", "reply.jsonl"), EvalSetText);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedTask<string> Task(string template = "Reply to {ticket}", string? schema = null) => TestTasks.Text(template: template, schema: schema);

    private static LockEntry Entry(double cascadeAccuracy = 0.91, double topAccuracy = 0.92)
    {
        var examples = Enumerable.Range(0, 100).Select(i => new CalibrationExample($"e{i}",
        [
            new TierObservation(true, i % 2 == 0 ? 0.99 : 0.2, i % 2 == 0 || i % 3 == 0, 1),
            new TierObservation(true, null, i % 10 != 1, 10),
        ])).ToList();
        var result = new CascadeCalibrator().Calibrate(examples, ["Small", "Large"]);
        var entry = LockEntries.Create(Task(), EvalSetText, [Tier.Small, Tier.Large], examples, result, 0.01, new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero));
        entry.Expected.Accuracy = cascadeAccuracy;
        entry.Tiers["Large"].Accuracy = topAccuracy;
        return entry;
    }

    private string WriteLock(LockEntry entry)
    {
        var path = Path.Combine(_dir, LockFile.FileName);
        var file = new LockFile();
        file.Tasks["Support.Reply"] = entry;
        file.Write(path);
        return path;
    }

    [Fact]
    public void Lock_file_round_trips_in_the_documented_shape()
    {
        var path = WriteLock(Entry());

        var text = File.ReadAllText(path);
        var read = LockFile.Read(path).Tasks["Support.Reply"];

        Assert.Contains("\"version\": 1", text);
        Assert.Contains("\"promptHash\": \"sha256:", text);
        Assert.Contains("\"costPerRequestUsd\"", text);
        Assert.Contains("\"maxAccuracyDrop\": 0.01", text);
        Assert.DoesNotContain("\"schemaHash\"", text); // text task: null, not written
        Assert.Equal(RoutedTaskHashing.EvalSetHash(EvalSetText), read.EvalSetHash);
        Assert.Equal("Small", read.StartTier);
        Assert.Equal(0.99, read.Thresholds["Small"]);
        Assert.Equal(100, read.Tiers["Small"].Examples);
        Assert.True(read.Tiers["Small"].AccuracyLow < read.Tiers["Small"].Accuracy);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero), read.CalibratedAt);
    }

    [Fact]
    public void Reading_ignores_unknown_properties_and_rejects_a_missing_or_newer_version()
    {
        var path = Path.Combine(_dir, "x.json");
        File.WriteAllText(path, """{"version": 1, "future": {"a": 1}, "tasks": {"T": {"promptHash": "sha256:1", "evalSetHash": "sha256:2", "startTier": "Large", "novel": true}}}""");
        Assert.Equal("Large", LockFile.Read(path).Tasks["T"].StartTier);

        File.WriteAllText(path, """{"tasks": {}}""");
        Assert.Contains("'version' is missing", Assert.Throws<InvalidDataException>(() => LockFile.Read(path)).Message);
        File.WriteAllText(path, """{"version": 2, "tasks": {}}""");
        Assert.Contains("version 2 is not supported", Assert.Throws<InvalidDataException>(() => LockFile.Read(path)).Message);
    }

    [Fact]
    public void An_entry_missing_a_hash_is_stale_for_check_and_for_the_build_alike()
    {
        // A text task's entry records no schema hash; the task now has a schema. check said "stale", while the build
        // (RP0004, and the generator's baking) skipped the hash the entry does not record and called it current.
        var path = WriteLock(Entry());
        var task = Task(schema: "{}");
        var evalSetHash = RoutedTaskHashing.EvalSetHash(EvalSetText);

        var check = Assert.Single(LockCheck.Check([task], LockFile.Read(path), _dir));
        var build = Shared.LockFile.Read(File.ReadAllText(path))!["Support.Reply"];

        Assert.Equal(LockProblemKind.Stale, check.Kind);
        Assert.Contains("(schema changed", check.Message);
        Assert.Equal(["schema"], build.Changes(TaskHashes.PromptOf(task), TaskHashes.SchemaOf(task), evalSetHash, null));
        Assert.False(build.IsCurrent(TaskHashes.PromptOf(task), TaskHashes.SchemaOf(task), evalSetHash));

        // A hand-written entry without an eval-set hash: stale for both, never a pass on missing evidence.
        File.WriteAllText(path, "{\"version\": 1, \"tasks\": {\"Support.Reply\": {\"promptHash\": \"" + TaskHashes.PromptOf(Task()) + "\", \"startTier\": \"Small\", \"evidenceComplete\": true}}}");
        var unrecorded = Assert.Single(LockCheck.Check([Task()], LockFile.Read(path), _dir));
        Assert.Contains("(eval set changed", unrecorded.Message);
        Assert.Equal(["eval set"], Shared.LockFile.Read(File.ReadAllText(path))!["Support.Reply"].Changes(TaskHashes.PromptOf(Task()), null, evalSetHash, null));
    }

    [Fact]
    public void Check_detects_missing_stale_and_below_bar_entries()
    {
        WriteLock(Entry());
        var file = LockFile.Read(Path.Combine(_dir, LockFile.FileName));

        Assert.Empty(LockCheck.Check([Task()], file, _dir));

        var missing = Assert.Single(LockCheck.Check([Task()], null, _dir));
        Assert.Equal(LockProblemKind.Missing, missing.Kind);
        Assert.Contains("routed-prompts eval --task Support.Reply", missing.Message);

        var prompt = Assert.Single(LockCheck.Check([Task(template: "Answer {ticket}")], file, _dir));
        Assert.Equal(LockProblemKind.Stale, prompt.Kind);
        Assert.Contains("(prompt changed", prompt.Message);

        Assert.Contains("(schema changed", Assert.Single(LockCheck.Check([Task(schema: "{}")], file, _dir)).Message);

        File.AppendAllText(Path.Combine(_dir, "evals", "reply.jsonl"), "{\"inputs\": {\"ticket\": \"u\"}, \"expected\": \"y\"}\n");
        Assert.Contains("(eval set changed", Assert.Single(LockCheck.Check([Task()], file, _dir)).Message);
        File.WriteAllText(Path.Combine(_dir, "evals", "reply.jsonl"), "\n" + EvalSetText.Replace("\n", "\r\n") + "\n"); // blank lines, CRLF: same hash
        Assert.Empty(LockCheck.Check([Task()], file, _dir));

        WriteLock(Entry(cascadeAccuracy: 0.89, topAccuracy: 0.92));
        var below = Assert.Single(LockCheck.Check([Task()], LockFile.Read(Path.Combine(_dir, LockFile.FileName)), _dir));
        Assert.Equal(LockProblemKind.BelowBar, below.Kind);
        Assert.Contains("0.890 is below its bar (Large 0.920 minus 1 pts)", below.Message);
    }

    [Fact]
    public async Task Check_verb_exits_0_when_every_task_matches_and_1_naming_the_task_otherwise()
    {
        WriteLock(Entry());
        var ok = new TestConsole();
        var stale = new TestConsole();
        var noLock = new TestConsole();

        var okExit = await Cli.CliApp.RunAsync(["check", "--project-dir", _dir], ok, () => [Task()]);
        var staleExit = await Cli.CliApp.RunAsync(["check", "--project-dir", _dir], stale, () => [Task(template: "Changed {ticket}")]);
        File.Delete(Path.Combine(_dir, LockFile.FileName));
        var noLockExit = await Cli.CliApp.RunAsync(["check", "--project-dir", _dir], noLock, () => [Task()]);

        Assert.Equal(0, okExit);
        Assert.Equal(1, staleExit);
        Assert.Contains("Support.Reply: lock entry is stale", stale.Output.Replace("\n", string.Empty));
        Assert.Equal(1, noLockExit);
        Assert.Contains("Support.Reply: no entry in routedprompts.lock.json", noLock.Output.Replace("\n", string.Empty));
    }
}
