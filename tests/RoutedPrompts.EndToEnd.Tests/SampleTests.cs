using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// Runs the README's first command (the sample on its embedded demo recording, no API key) and checks that the
/// generated methods, the gates and the replay client did their work: each gate's escalation shows with its reason,
/// a request no tier can answer ends in a RoutingException, and the summary adds up.
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
        Assert.Contains("LowConfidence — Confidence 0.3012 is below the threshold 0.6. → Medium", run, StringComparison.Ordinal);
        Assert.Contains("PatternMismatch at #/orderId. → Medium", run, StringComparison.Ordinal);
        Assert.Contains("ValidatorRejected", run, StringComparison.Ordinal);
        Assert.Contains("Large  openai/gpt-4o: Refusal", run, StringComparison.Ordinal);
        Assert.Contains("no tier produced an acceptable answer", run, StringComparison.Ordinal);
        Assert.Contains("requests:            11 (6 escalated, 1 refused by every tier)", run, StringComparison.Ordinal);
        Assert.Contains("answered by tier:    Small 4, Medium 6", run, StringComparison.Ordinal);
        Assert.Matches(@"saving:\s+[1-9][0-9] ?%", run);
    }
}
