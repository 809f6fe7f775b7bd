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

    [Fact]
    public async Task Tries_that_time_out_on_a_starved_client_before_the_server_sees_them_are_accounted_for()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // No injected faults; every 7th try stalls on the client past its timeout and never reaches the server.
        var report = await ChaosScenario.RunAsync(
            new ChaosSettings
            {
                Calls = 150, Concurrency = 16, RateLimited = 0, ServerError = 0, Hang = 0, Malformed = 0,
                AttemptTimeout = TimeSpan.FromSeconds(2), StallEvery = 7,
            },
            bound.Token);

        output.WriteLine(report.ToString());
        Assert.Empty(report.Violations); // it reported "the client counted N requests, the server saw N-1"
        Assert.True(report.UnloggedTries > 0);
        Assert.Equal(report.UnloggedTries, report.Client("Timeout"));
    }

    [Theory]
    [InlineData(2, 2, 0, true)]
    [InlineData(2, 1, 1, true)]   // one try timed out on the client before the server logged it
    [InlineData(3, 1, 2, true)]
    [InlineData(2, 1, 0, false)]  // a try missing from the server that did not time out: lost
    [InlineData(3, 1, 1, false)]  // more missing than timed out
    [InlineData(1, 2, 5, false)]  // the server saw a request the client did not count
    public void The_request_count_invariant_allows_only_client_timed_out_tries_to_be_missing(int made, int seen, int timedOut, bool holds)
    {
        Assert.Equal(holds, ChaosScenario.RequestCountViolation("call-1", made, seen, timedOut) is null);
    }
}
