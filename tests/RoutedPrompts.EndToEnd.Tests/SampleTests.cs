using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// Runs the README's first command (the sample on its embedded demo recording, no API key) and checks that the
/// generated methods, the gates and the replay client did their work: each gate's escalation shows with its reason
/// (the small tier's confidence threshold is the one calibrated into the sample's lock file), a request no tier can
/// answer ends in a RoutingException, each request's routing decision is printed (the enterprise feature's rule starts
/// it at Medium), and the summary adds up.
/// </summary>
public sealed class SampleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sample_runs_offline_and_reports_each_escalation_and_the_saving()
    {
        var run = await DotnetCli.RunAsync(output, DotnetCli.RepoRoot,
            "run", "--project", Path.Combine("samples", "SupportTriage"), "-c", DotnetCli.Configuration, "--no-build");

        Assert.Contains("Offline demo", run, StringComparison.Ordinal);
        Assert.Contains("Small  openai/gpt-4o-mini: InvalidJson", run, StringComparison.Ordinal);
        Assert.Contains("NotInEnumeration at #/priority. → Medium", run, StringComparison.Ordinal);
        Assert.Contains($"LowConfidence — Confidence 0.3012 is below the threshold {SmallThreshold()}. → Medium", run, StringComparison.Ordinal);
        Assert.Contains("PatternMismatch at #/orderId. → Medium", run, StringComparison.Ordinal);
        Assert.Contains("ValidatorRejected", run, StringComparison.Ordinal);
        Assert.Contains("Large  openai/gpt-4o: Refusal", run, StringComparison.Ordinal);
        Assert.Contains("no tier produced an acceptable answer", run, StringComparison.Ordinal);
        Assert.Contains("requests:            15 (6 escalated, 1 refused by every tier)", run, StringComparison.Ordinal);
        Assert.Contains("answered by tier:    Small 4, Medium 10", run, StringComparison.Ordinal);
        Assert.Matches(@"saving:\s+[1-9][0-9] ?%", run);
    }

    [Fact]
    public async Task Sample_prints_each_requests_routing_decision_and_the_enterprise_rule_starts_at_medium()
    {
        var run = await DotnetCli.RunAsync(output, DotnetCli.RepoRoot,
            "run", "--project", Path.Combine("samples", "SupportTriage"), "-c", DotnetCli.Configuration, "--no-build");

        Assert.Equal(15, CountOf(run, "\n  route: planned "));
        Assert.Equal(2, CountOf(run, "route: planned Small, start Medium, max Large; feature enterprise; rule enterprise-to-medium\n  => Medium (openai/gpt-4.1-mini) in 1 attempt(s)"));
        Assert.Contains("started higher:      2 by a rule, 2 by the classifier", run, StringComparison.Ordinal);

        // The classifier baked from the lock file sends the two hard tickets (a stack trace, a chargeback) past Small,
        // where they are answered at the first attempt, and keeps a simple one at Small.
        Assert.Equal(2, CountOf(run, ", raised the start\n  => Medium (openai/gpt-4.1-mini) in 1 attempt(s)"));
        Assert.Matches(@"route: planned Small, start Small, max Large; classifier 0\.\d+, kept the start", run);
    }

    /// <summary>The small tier's threshold the build baked from the sample's lock file, as the router prints it.</summary>
    private static string SmallThreshold()
    {
        var lockFile = JsonNode.Parse(File.ReadAllText(Path.Combine(DotnetCli.RepoRoot, "samples", "SupportTriage", "routedprompts.lock.json")))!;
        return ((double)lockFile["tasks"]!["SupportPrompts.Triage"]!["thresholds"]!["Small"]!).ToString("0.####", CultureInfo.InvariantCulture);
    }

    private static int CountOf(string text, string value) => Regex.Count(text.ReplaceLineEndings("\n"), Regex.Escape(value));
}
