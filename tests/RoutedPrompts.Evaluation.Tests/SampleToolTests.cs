using System.Text.Json.Nodes;
using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The tool on the sample's real build output: its generated registry (loaded from the assembly, module initializer
/// run) lists the three routed tasks; check fails without a lock file and passes after eval → calibrate with the
/// replay client. The demo recording does not cover the eval sets: eval on it fails naming the missing answers (an eval
/// with missing answers cannot pass), so the test records the eval sets' expected answers for every model and evaluates
/// on that; the numbers themselves are not asserted.
/// </summary>
public sealed class SampleToolTests : IDisposable
{
    private static readonly string SampleDirectory = Path.GetFullPath(Path.Combine(Datasets.RepoRoot, "samples", "SupportTriage"));

    // The sample's build output, in this test project's configuration: bin/<Configuration>/net10.0.
    private static readonly string SampleAssembly = Path.Combine(
        SampleDirectory, "bin", new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "SupportTriage.dll");

    private readonly string _dir = Directory.CreateTempSubdirectory("rp-sample-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Check_eval_calibrate_on_the_sample_assembly()
    {
        CopyFromSample("routedprompts.json", "evals/triage.jsonl", "evals/refund.jsonl", "evals/reply.jsonl", "recordings/support-demo.jsonl");
        Task<(int Exit, string Output)> Run(params string[] args) => RunToolAsync(args);

        var before = await Run("check");
        Assert.True(before.Exit == 1, before.Output);
        Assert.Contains("SupportPrompts.Triage: no entry in routedprompts.lock.json", before.Output);
        Assert.Contains("SupportPrompts.ExtractRefund", before.Output);
        Assert.Contains("SupportPrompts.DraftReply", before.Output);

        var demo = await Run("eval", "--replay", Path.Combine(_dir, "recordings", "support-demo.jsonl"));
        Assert.True(demo.Exit == 1, demo.Output);
        Assert.Contains("ReplayMiss", demo.Output);
        Assert.Equal(1, (await Run("calibrate")).Exit); // incomplete results are refused

        var covering = Path.Combine(_dir, "recordings", "expected.jsonl");
        var models = new[] { "gpt-4o-mini", "gpt-4.1-mini", "gpt-4o" };
        File.WriteAllLines(covering, Cli.AppAssembly.Load(SampleAssembly).Tasks.Where(t => t.EvalSet is not null).SelectMany(task =>
            EvalSet.Load(Path.Combine(_dir, task.EvalSet!), task).Select(example => System.Text.Json.JsonSerializer.Serialize(new
            {
                messages = example.Messages(task).Select(m => new { role = m.Role.Value, content = m.Text }),
                responses = models.ToDictionary(m => m, _ => new { text = example.Expected.ValueKind == System.Text.Json.JsonValueKind.String ? example.Expected.GetString() : example.Expected.GetRawText() }),
            }))));
        Assert.Equal(0, (await Run("eval", "--replay", covering)).Exit);
        Assert.Equal(0, (await Run("calibrate")).Exit);
        var after = await Run("check");
        Assert.Equal(0, after.Exit);
        Assert.Contains("3 routed task(s) match", after.Output);
        Assert.Equal(["SupportPrompts.DraftReply", "SupportPrompts.ExtractRefund", "SupportPrompts.Triage"], LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks.Keys);
    }

    /// <summary>
    /// The sample's recording answers every row of its triage eval set for every model (an eval with a missing answer
    /// fails), and eval → calibrate on it, as the README's "The sample" runs them, writes the triage entry the sample
    /// commits (everything but the calibration time): the committed lock entry is what the tools produce from the
    /// committed data.
    /// </summary>
    [Fact]
    public async Task The_sample_recording_covers_the_triage_eval_set_and_reproduces_the_committed_lock_entry()
    {
        const string Triage = "SupportPrompts.Triage";
        CopyFromSample("routedprompts.json", "evals/triage.jsonl", "recordings/support-demo.jsonl");
        Task<(int Exit, string Output)> Run(params string[] args) => RunToolAsync([.. args, "--task", Triage]);

        var eval = await Run("eval", "--replay", Path.Combine(_dir, "recordings", "support-demo.jsonl"), "--ignore-field", "summary");
        Assert.True(eval.Exit == 0, eval.Output);
        var calibrate = await Run("calibrate");
        Assert.True(calibrate.Exit == 0, calibrate.Output);

        static JsonNode Entry(string lockFile)
        {
            var entry = JsonNode.Parse(File.ReadAllText(lockFile))!["tasks"]![Triage]!.DeepClone().AsObject();
            entry.Remove("calibratedAt");
            return entry;
        }

        var produced = Entry(Path.Combine(_dir, LockFile.FileName));
        var committed = Entry(Path.Combine(SampleDirectory, LockFile.FileName));
        Assert.True(JsonNode.DeepEquals(produced, committed), $"produced:\n{produced}\ncommitted:\n{committed}");
    }

    /// <summary>Copies these files of the sample (paths relative to it) into the test's project directory.</summary>
    private void CopyFromSample(params string[] files)
    {
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, file))!);
            File.Copy(Path.Combine(SampleDirectory, file), Path.Combine(_dir, file));
        }
    }

    /// <summary>Runs the tool on the sample's assembly with the test's directory as the project directory.</summary>
    private async Task<(int Exit, string Output)> RunToolAsync(string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var exit = await Cli.CliApp.RunAsync([.. args, "--assembly", SampleAssembly, "--project-dir", _dir], console);
        return (exit, console.Output);
    }
}
