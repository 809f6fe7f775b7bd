using System.Globalization;
using System.Text.Json.Nodes;
using RoutedPrompts.EndToEnd.Tests;
using Xunit.Abstractions;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The lock file in the build, end to end on a copy of the sample: build and run it (the refund of order ORD-120045 is
/// answered by the small tier), then <c>eval</c> → <c>calibrate</c> with the replay client on a refund eval set where
/// the small tier is wrong at confidence 0.97, then build again (the generator bakes the new lock entry) and run again:
/// the same request is no longer answered by the small tier: its answer falls below the baked small-tier threshold
/// (what the calibrator chooses on these 150 examples), or — should the calibrator decide the small tier does not earn
/// the traffic — the baked start tier skips it. The test follows the lock entry either way.
/// </summary>
public sealed class LockBakedIntoBuildTests(ITestOutputHelper output) : IDisposable
{
    private const string Task = "SupportPrompts.ExtractRefund";
    private const string DemoRefundRow = "support-demo-refund-1";
    private const string Label = "refund  \"Hi, the headphones from order ORD-12004…\"";
    private const int Examples = 150;

    private readonly string _dir = Directory.CreateTempSubdirectory("rp-bake-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Eval_calibrate_build_run_routes_by_the_baked_lock_entry()
    {
        CopySample();
        var recording = Path.Combine(_dir, "recordings", "support-demo.jsonl");
        WriteRefundEvalSetAndRecording(recording);

        var before = RefundBlock(await BuildAndRunAsync());
        Assert.Contains("=> Small (openai/gpt-4o-mini) in 1 attempt(s)", before, StringComparison.Ordinal);

        // The tool, as a user runs it, with no --assembly: eval builds the copy (its project references are built
        // already) and loads its output; calibrate loads the same output without building again.
        var eval = await ToolAsync("eval", "--replay", recording, "--task", Task, "--project-dir", _dir, "-c", DotnetCli.Configuration, "--build-property", "BuildProjectReferences=false");
        Assert.Contains($"Building {Path.Combine(_dir, "SupportTriage.csproj")} ({DotnetCli.Configuration})", eval, StringComparison.Ordinal);
        var calibrate = await ToolAsync("calibrate", "--task", Task, "--project-dir", _dir, "-c", DotnetCli.Configuration, "--no-build");
        Assert.Contains("Locating the build output of", calibrate, StringComparison.Ordinal);
        Assert.DoesNotContain("Building", calibrate, StringComparison.Ordinal);
        var entry = LockFile.Read(Path.Combine(_dir, LockFile.FileName)).Tasks[Task];
        output.WriteLine($"lock: start tier {entry.StartTier}, thresholds {string.Join(", ", entry.Thresholds)}");

        var after = RefundBlock(await BuildAndRunAsync());
        Assert.DoesNotContain("=> Small", after, StringComparison.Ordinal);
        if (entry.StartTier == "Small")
        {
            // Still starts small: the small answer (confidence 0.94) now falls below the calibrated threshold.
            var threshold = entry.Thresholds["Small"];
            Assert.True(threshold > 0.97, $"calibrated small threshold {threshold}");
            Assert.Contains(
                $"Small  openai/gpt-4o-mini: LowConfidence — Confidence 0.9418 is below the threshold {threshold.ToString("0.####", CultureInfo.InvariantCulture)}. → Medium",
                after, StringComparison.Ordinal);
            Assert.Contains("=> Medium (openai/gpt-4.1-mini)", after, StringComparison.Ordinal);
        }
        else
        {
            // The eval gate moved the task's start tier up: the request starts there, the small tier is not tried.
            Assert.Contains($"=> {entry.StartTier} (openai/", after, StringComparison.Ordinal);
            Assert.Contains("in 1 attempt(s)", after, StringComparison.Ordinal);
        }
    }

    /// <summary>Copies the sample (sources, configuration, evals, prompts, schemas, recordings) so it builds against this repository's projects.</summary>
    private void CopySample()
    {
        var repo = DotnetCli.RepoRoot;
        var sample = Path.Combine(repo, "samples", "SupportTriage");
        foreach (var file in Directory.EnumerateFiles(sample, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(sample, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, relative))!);
            File.Copy(file, Path.Combine(_dir, relative));
        }

        var src = Path.Combine(repo, "src") + Path.DirectorySeparatorChar;
        var project = Path.Combine(_dir, "SupportTriage.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(@"..\..\src\", src, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "Directory.Build.props"), $"""<Project><Import Project="{Path.Combine(repo, "Directory.Build.props")}" /></Project>""");
        File.WriteAllText(Path.Combine(_dir, "Directory.Packages.props"), $"""<Project><Import Project="{Path.Combine(repo, "Directory.Packages.props")}" /></Project>""");
        File.Copy(Path.Combine(repo, "nuget.config"), Path.Combine(_dir, "nuget.config"));
        File.Copy(Path.Combine(repo, "global.json"), Path.Combine(_dir, "global.json"));
    }

    /// <summary>
    /// Replaces the refund eval set with <see cref="Examples"/> emails and records their answers: Medium and Large
    /// always right; Small right at confidence 0.999 for two thirds, wrong (the amount) at confidence 0.97 for the rest.
    /// Gives the demo's first refund email a Medium answer, so it can escalate.
    /// </summary>
    private void WriteRefundEvalSetAndRecording(string recording)
    {
        var rows = File.ReadAllLines(recording).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var demo = rows.Single(r => (string?)r["id"] == DemoRefundRow);
        var demoEmail = "Hi, the headphones from order ORD-120045 broke after a week. I'd like my 49.99 USD back.";
        const string DemoAnswer = """{"orderId":"ORD-120045","amount":49.99,"currency":"USD","reason":"Headphones broke after a week."}""";
        demo["responses"]!["gpt-4.1-mini"] = Response(DemoAnswer, -0.01);
        demo["responses"]!["gpt-4o"] = Response(DemoAnswer, -0.01);

        var evalSet = new List<string>();
        for (var i = 0; i < Examples; i++)
        {
            var orderId = "ORD-" + (200100 + i).ToString(CultureInfo.InvariantCulture);
            var amount = 10 + i;
            var email = $"Order {orderId} stopped working. Please refund the {amount} USD I paid.";
            var expected = new JsonObject { ["orderId"] = orderId, ["amount"] = amount, ["currency"] = "USD", ["reason"] = "Item stopped working." };
            evalSet.Add(new JsonObject { ["inputs"] = new JsonObject { ["email"] = email }, ["expected"] = expected }.ToJsonString());

            var right = expected.ToJsonString();
            var wrong = expected.DeepClone().AsObject();
            wrong["amount"] = amount + 1;
            var smallRight = i % 3 != 0;
            var messages = demo["messages"]!.DeepClone();
            messages[1]!["content"] = ((string)messages[1]!["content"]!).Replace(demoEmail, email, StringComparison.Ordinal);
            rows.Add(new JsonObject
            {
                ["id"] = "bake-refund-" + i.ToString(CultureInfo.InvariantCulture),
                ["dataset"] = "bake-test",
                ["split"] = "train",
                ["source"] = "written by the lock-baking end-to-end test; not produced by a model",
                ["messages"] = messages,
                ["reference"] = null,
                ["responses"] = new JsonObject
                {
                    ["gpt-4o-mini"] = smallRight ? Response(right, -0.001) : Response(wrong.ToJsonString(), Math.Log(0.97)),
                    ["gpt-4.1-mini"] = Response(right, -0.01),
                    ["gpt-4o"] = Response(right, -0.01),
                },
            });
        }

        File.WriteAllLines(Path.Combine(_dir, "evals", "refund.jsonl"), evalSet);
        File.WriteAllLines(recording, rows.Select(r => r.ToJsonString()));
    }

    private static JsonObject Response(string text, double logprob) => new()
    {
        ["text"] = text, ["cost_usd"] = 2e-05, ["input_tokens"] = 60, ["output_tokens"] = 25, ["logprob"] = logprob, ["cost_estimated"] = true,
    };

    /// <summary>Builds the copy (the generator reads its lock file; the repository's projects are already built) and runs it offline.</summary>
    private async Task<string> BuildAndRunAsync()
    {
        await DotnetCli.RunAsync(output, _dir, "build", "-c", DotnetCli.Configuration, "-p:BuildProjectReferences=false", "-nologo", "-v:q");
        return await DotnetCli.RunAsync(output, _dir, Path.Combine("bin", DotnetCli.Configuration, "net10.0", "SupportTriage.dll"));
    }

    /// <summary>Runs the built tool in its own process (a second SupportTriage.dll could not join this test host's).</summary>
    private async Task<string> ToolAsync(params string[] args)
    {
        var tool = Path.Combine(DotnetCli.RepoRoot, "src", "RoutedPrompts.Cli", "bin", DotnetCli.Configuration, "net10.0", "routed-prompts.dll");
        return await DotnetCli.RunAsync(output, _dir, [tool, .. args]);
    }

    /// <summary>The lines the sample prints for the demo's first refund request.</summary>
    private static string RefundBlock(string run)
    {
        run = run.ReplaceLineEndings("\n");
        var start = run.IndexOf(Label, StringComparison.Ordinal);
        Assert.True(start >= 0, run);
        var end = run.IndexOf("\n\n", start, StringComparison.Ordinal);
        return run[start..(end < 0 ? run.Length : end)];
    }
}
