using System.Diagnostics;
using RoutedPrompts.Testing;
using Xunit.Abstractions;

namespace RoutedPrompts.Tests;

/// <summary>Runs alone: a slow machine must not turn a normal answer into a client timeout the server did not inject.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "Chaos";
}

/// <summary>2,000 routed calls through the loopback server with 20% 429s, 10% 5xx, 5% hangs and 5% malformed bodies.</summary>
[Collection(ChaosCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_call_ends_in_a_gated_answer_or_a_routing_exception_and_the_fault_counts_match()
    {
        var watch = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // A generous per-try timeout (hangs cost it each), so only injected hangs time out even on a loaded machine.
        var report = await ChaosScenario.RunAsync(new ChaosSettings { AttemptTimeout = TimeSpan.FromSeconds(3), Concurrency = 64 }, bound.Token);

        output.WriteLine(report.ToString());
        Assert.Empty(report.Violations);
        Assert.Equal(2_000, report.Succeeded + report.RoutingFailures);
        Assert.True(report.Server(FaultKind.RateLimited) > 0 && report.Server(FaultKind.Hang) > 0 && report.Server(FaultKind.MalformedBody) > 0);
        Assert.True(report.GateFailures > 0 && report.Retries > 0);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"The chaos test took {watch.Elapsed}.");
    }
}
