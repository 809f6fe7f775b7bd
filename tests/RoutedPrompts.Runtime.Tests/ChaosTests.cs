using System.Diagnostics;
using RoutedPrompts.Testing;
using Xunit.Abstractions;

namespace RoutedPrompts.Tests;

/// <summary>2,000 routed calls through the loopback server with 20% 429s, 10% 5xx, 5% hangs and 5% malformed bodies.</summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_call_ends_in_a_gated_answer_or_a_routing_exception_and_the_fault_counts_match()
    {
        var watch = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var report = await ChaosScenario.RunAsync(new ChaosSettings(), bound.Token);

        output.WriteLine(report.ToString());
        Assert.Empty(report.Violations);
        Assert.Equal(2_000, report.Succeeded + report.RoutingFailures);
        Assert.True(report.Server(FaultKind.RateLimited) > 0 && report.Server(FaultKind.Hang) > 0 && report.Server(FaultKind.MalformedBody) > 0);
        Assert.True(report.GateFailures > 0 && report.Retries > 0);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"The chaos test took {watch.Elapsed}.");
    }
}
