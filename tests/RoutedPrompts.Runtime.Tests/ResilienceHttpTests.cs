using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>Retries, fallbacks and circuit breakers through the real client stack against the loopback test server.</summary>
public sealed class ResilienceHttpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Retries_a_transient_failure_then_succeeds_on_the_same_deployment()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.MaxRetries = 2);
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable, FaultKind.InternalServerError);

        var routed = await h.AskAsync("retry me").AsTask().WaitAsync(Bound);

        Assert.Equal("ok: Ticket: retry me", routed.Value);
        var attempt = Assert.Single(routed.Attempts);
        Assert.Equal(new DeploymentInfo("alpha", "small-a"), attempt.Deployment);
        Assert.Equal((3, 2), (attempt.Requests, attempt.Retries));
        Assert.Equal(ProviderFailureKind.None, attempt.Failure);
        Assert.Equal((3, 0), (h.Server.RequestsFor("small-a"), h.Server.RequestsFor("small-b")));
    }

    [Fact]
    public async Task Exhausted_retries_fall_over_to_the_next_deployment_with_the_status_code()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.MaxRetries = 1);
        h.Server.Schedule("small-a", FaultKind.BadGateway, FaultKind.BadGateway);

        var routed = await h.AskAsync("fall over").AsTask().WaitAsync(Bound);

        Assert.Equal(new DeploymentInfo("beta", "small-b"), routed.Deployment);
        Assert.Equal(0, routed.Escalations);
        var failed = routed.Attempts[0];
        Assert.Equal(AttemptOutcome.ProviderError, failed.Outcome);
        Assert.True(failed.IsAvailabilityFailure);
        Assert.Equal((ProviderFailureKind.ServerError, 502, 2, 1), (failed.Failure, failed.StatusCode, failed.Requests, failed.Retries));
        Assert.Equal("ClientResultException (HTTP 502 BadGateway) after 2 tries", failed.Reason);
    }

    [Theory]
    [InlineData(2, 10, 2)]
    [InlineData(60, 3, 3)]
    public async Task Retry_After_is_honoured_and_capped(int retryAfterSeconds, int capSeconds, int expectedSeconds)
    {
        var time = new RecordingTimeProvider();
        await using var h = await HttpHarness.StartAsync(
            o =>
            {
                o.Resilience.MaxRetries = 1;
                o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(capSeconds);
                o.Resilience.AttemptTimeout = TimeSpan.FromHours(1);
            },
            time);
        h.Server.Schedule("small-a", new Fault(FaultKind.RateLimited, retryAfterSeconds));

        var call = h.AskAsync("rate limited").AsTask();
        var delay = await time.WaitForTimerAsync(due => due > TimeSpan.Zero && due < TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay); // the header's value (capped), not the 1 ms backoff
        time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromMilliseconds(100));
        await Task.Delay(100);
        Assert.False(call.IsCompleted);
        Assert.Equal(1, h.Server.RequestsFor("small-a"));
        time.Advance(TimeSpan.FromMilliseconds(100));

        var routed = await call.WaitAsync(Bound);
        Assert.Equal((2, 1), (routed.Answer.Requests, routed.Answer.Retries));
        Assert.Equal(2, h.Server.RequestsFor("small-a"));
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("Infinity")]
    [InlineData("99999999999999999999")]
    public async Task An_absurd_Retry_After_is_capped_and_the_request_is_retried(string retryAfter)
    {
        var time = new RecordingTimeProvider();
        await using var h = await HttpHarness.StartAsync(
            o =>
            {
                o.Resilience.MaxRetries = 1;
                o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(3);
                o.Resilience.AttemptTimeout = TimeSpan.FromHours(1);
            },
            time);
        h.Server.Schedule("small-a", new Fault(FaultKind.RateLimited) { RetryAfterText = retryAfter });

        var call = h.AskAsync("absurd retry-after").AsTask();
        var delay = await time.WaitForTimerAsync(due => due > TimeSpan.Zero && due < TimeSpan.FromHours(1));
        time.Advance(delay);

        var routed = await call.WaitAsync(Bound);
        Assert.Equal(TimeSpan.FromSeconds(3), delay); // the cap (it threw OverflowException and skipped the retry)
        Assert.Equal(new DeploymentInfo("alpha", "small-a"), routed.Deployment);
        Assert.Equal((2, 1), (routed.Answer.Requests, routed.Answer.Retries));
    }

    [Fact]
    public async Task Circuit_opens_sheds_traffic_to_the_next_deployment_half_opens_and_recovers()
    {
        var time = new RecordingTimeProvider();
        await using var h = await HttpHarness.StartAsync(
            o =>
            {
                o.Tiers["Small"].Resilience = new ResilienceOptions
                {
                    CircuitBreakerEnabled = true, MinimumThroughput = 2, FailureRatio = 0.5,
                    SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(5),
                };
                o.Resilience.AttemptTimeout = TimeSpan.FromHours(1);
            },
            time);
        using var gauge = new MetricCollector<int>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.CircuitStateInstrument);
        DeploymentCircuitState SmallA() => h.Router.GetDeploymentHealth().Single(d => d.Deployment.Model == "small-a").CircuitState;
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable, FaultKind.ServiceUnavailable);

        // Two failures in the window: the circuit opens; each request is still answered by beta in the same tier.
        Assert.Equal("small-b", (await h.AskAsync("1").AsTask().WaitAsync(Bound)).Deployment.Model);
        Assert.Equal(DeploymentCircuitState.Closed, SmallA());
        Assert.Equal("small-b", (await h.AskAsync("2").AsTask().WaitAsync(Bound)).Deployment.Model);
        Assert.Equal(DeploymentCircuitState.Open, SmallA());

        // Open: alpha is not called at all.
        var shed = await h.AskAsync("3").AsTask().WaitAsync(Bound);
        Assert.Equal((AttemptOutcome.CircuitOpen, ProviderFailureKind.CircuitOpen, 0), (shed.Attempts[0].Outcome, shed.Attempts[0].Failure, shed.Attempts[0].Requests));
        Assert.Equal(Tier.Small, shed.Tier);
        Assert.Equal(2, h.Server.RequestsFor("small-a"));
        gauge.RecordObservableInstruments();
        Assert.Contains(gauge.GetMeasurementSnapshot(), m => m.Value == (int)DeploymentCircuitState.Open && (string?)m.Tags["model"] == "small-a");

        // After the break a probe goes through; it fails, so the circuit opens again.
        h.Server.Schedule("small-a", FaultKind.InternalServerError);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("small-b", (await h.AskAsync("4").AsTask().WaitAsync(Bound)).Deployment.Model);
        Assert.Equal(3, h.Server.RequestsFor("small-a"));
        Assert.Equal(DeploymentCircuitState.Open, SmallA());

        // The next probe succeeds: the circuit closes and alpha takes the traffic again.
        time.Advance(TimeSpan.FromSeconds(5)); // the breaker half-opens lazily, on this next request
        var recovered = await h.AskAsync("5").AsTask().WaitAsync(Bound);
        Assert.Equal("small-a", recovered.Deployment.Model);
        Assert.Single(recovered.Attempts);
        Assert.Equal(DeploymentCircuitState.Closed, SmallA());
        var health = h.Router.GetDeploymentHealth().Single(d => d.Deployment.Model == "small-a");
        Assert.Equal((4L, 3L), (health.Requests, health.Failures));
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Name == "CircuitOpened");
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Name == "CircuitClosed");
    }

    [Fact]
    public async Task Whole_tier_down_escalates_up_never_down()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.MaxRetries = 1);
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable, FaultKind.ServiceUnavailable);
        h.Server.Schedule("small-b", new Fault(FaultKind.RateLimited, 0), new Fault(FaultKind.RateLimited, 0));

        var routed = await h.AskAsync("outage").AsTask().WaitAsync(Bound);

        Assert.Equal(new DeploymentInfo("alpha", "medium-a"), routed.Deployment);
        Assert.Equal(1, routed.Escalations);
        Assert.Equal([503, 429, null], routed.Attempts.Select(a => a.StatusCode));
        Assert.Equal([ProviderFailureKind.ServerError, ProviderFailureKind.RateLimited, ProviderFailureKind.None], routed.Attempts.Select(a => a.Failure));
    }

    [Fact]
    public async Task Whole_tier_down_fails_instead_when_configured()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Tiers["Small"].WhenUnavailable = TierUnavailableBehavior.Fail);
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable);
        h.Server.Schedule("small-b", FaultKind.InternalServerError);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.AskAsync("outage").AsTask().WaitAsync(Bound));

        Assert.Equal(["alpha/small-a", "beta/small-b"], ex.Attempts.Select(a => a.Deployment.ToString()));
        Assert.All(ex.Attempts, a => Assert.True(a.IsAvailabilityFailure));
        Assert.Equal(0, h.Server.RequestsFor("medium-a"));
        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Id.Name == "TierUnavailable");
    }

    [Fact]
    public async Task Nothing_left_is_a_routing_exception_saying_which_deployment_failed_how()
    {
        // The per-try timeout ends the hang; it must be long enough that no other answer (the 429, the 502) misses it on a
        // loaded machine (300 ms did once in CI: the 429 became a Timeout).
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(2));
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable).Schedule("small-b", FaultKind.Hang);
        h.Server.Schedule("medium-a", new Fault(FaultKind.RateLimited, 1)).Schedule("medium-b", FaultKind.DropConnection);
        h.Server.Schedule("large-a", FaultKind.MalformedBody).Schedule("large-b", FaultKind.BadGateway);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.AskAsync("all down").AsTask().WaitAsync(Bound));

        Assert.Equal(
            [ProviderFailureKind.ServerError, ProviderFailureKind.Timeout, ProviderFailureKind.RateLimited, ProviderFailureKind.Network, ProviderFailureKind.MalformedResponse, ProviderFailureKind.ServerError],
            ex.Attempts.Select(a => a.Failure));
        Assert.Equal([Tier.Small, Tier.Small, Tier.Medium, Tier.Medium, Tier.Large, Tier.Large], ex.Attempts.Select(a => a.Tier));
        Assert.Equal([503, null, 429, null, null, 502], ex.Attempts.Select(a => a.StatusCode));
        Assert.Contains("TimeoutRejectedException", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaultKind.MalformedBody, ProviderFailureKind.MalformedResponse)]
    [InlineData(FaultKind.TruncatedBody, ProviderFailureKind.Network)]
    [InlineData(FaultKind.DropConnection, ProviderFailureKind.Network)]
    public async Task Broken_bodies_are_availability_failures_not_crashes(FaultKind fault, ProviderFailureKind expected)
    {
        await using var h = await HttpHarness.StartAsync();
        h.Server.Schedule("small-a", fault);

        var routed = await h.AskAsync("broken").AsTask().WaitAsync(Bound);

        Assert.Equal(new DeploymentInfo("beta", "small-b"), routed.Deployment);
        Assert.Equal((AttemptOutcome.ProviderError, expected), (routed.Attempts[0].Outcome, routed.Attempts[0].Failure));
        Assert.Equal(1, h.Server.Injected(fault));
    }

    [Fact]
    public async Task A_well_formed_bad_answer_is_a_gate_failure_that_escalates()
    {
        await using var h = await HttpHarness.StartAsync();
        h.Server.Answer = r => new ServerAnswer(r.Model.StartsWith("small", StringComparison.Ordinal) ? "I'm sorry, but I can't help with that." : "fine");

        var routed = await h.AskAsync("gate").AsTask().WaitAsync(Bound);

        Assert.Equal([AttemptOutcome.Refusal, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.False(routed.Attempts[0].IsAvailabilityFailure);
        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(0, h.Server.RequestsFor("small-b")); // a gate failure escalates; it does not try the next deployment
    }

    [Fact]
    public async Task A_hang_times_out_and_falls_over()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        h.Server.Schedule("small-a", FaultKind.Hang);

        var routed = await h.AskAsync("hang").AsTask().WaitAsync(Bound);

        Assert.Equal("small-b", routed.Deployment.Model);
        Assert.Equal(ProviderFailureKind.Timeout, routed.Attempts[0].Failure);
        Assert.InRange(routed.Attempts[0].Latency, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(100, 5_000, "small-a", ProviderFailureKind.None)]
    [InlineData(3_000, 300, "small-b", ProviderFailureKind.Timeout)]
    public async Task A_slow_answer_is_accepted_within_the_timeout_and_times_out_past_it(int delayMs, int timeoutMs, string answeredBy, ProviderFailureKind firstFailure)
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(timeoutMs));
        h.Server.Schedule("small-a", new Fault(FaultKind.Slow, Delay: TimeSpan.FromMilliseconds(delayMs)));

        var routed = await h.AskAsync("slow").AsTask().WaitAsync(Bound);

        Assert.Equal(answeredBy, routed.Deployment.Model);
        Assert.Equal(firstFailure, routed.Attempts[0].Failure);
        Assert.True(routed.Attempts[0].Latency >= TimeSpan.FromMilliseconds(Math.Min(delayMs, timeoutMs) - 20));
    }

    [Fact]
    public async Task Cancellation_mid_backoff_stops_the_request_without_another_try()
    {
        var time = new RecordingTimeProvider();
        await using var h = await HttpHarness.StartAsync(
            o =>
            {
                o.Resilience.MaxRetries = 3;
                o.Resilience.RetryBaseDelay = TimeSpan.FromSeconds(10);
                o.Resilience.AttemptTimeout = TimeSpan.FromHours(1);
            },
            time);
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable);
        using var cts = new CancellationTokenSource();

        var call = h.AskAsync("cancel me", cts.Token).AsTask();
        await time.WaitForTimerAsync(due => due > TimeSpan.Zero && due < TimeSpan.FromHours(1));
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Bound));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal((1, 0), (h.Server.RequestsFor("small-a"), h.Server.RequestsFor("small-b")));
    }

    [Fact]
    public async Task Cancellation_mid_request_aborts_the_http_request()
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.MaxRetries = 2);
        h.Server.Schedule("small-a", FaultKind.Hang);
        using var cts = new CancellationTokenSource();

        var call = h.AskAsync("cancel in flight", cts.Token).AsTask();
        while (h.Server.InFlight == 0 && !call.IsCompleted)
        {
            await Task.Delay(10);
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Bound));
        Assert.True(await h.Server.WaitIdleAsync(Bound)); // the hung request was aborted, not left open
        Assert.Single(h.Server.Requests);
    }

    [Fact]
    public async Task Log_probabilities_are_requested_and_feed_the_confidence_gate()
    {
        await using var h = await HttpHarness.StartAsync(o =>
        {
            foreach (var tier in o.Tiers.Values)
            {
                tier.Deployments[0].LogProbabilities = true;
            }

            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        }, logProbabilities: ["alpha", "beta"]);
        h.Server.Answer = r => new ServerAnswer("answer", r.Model == "small-a" ? -0.5 : -0.01); // 2 tokens: exp(-1) vs exp(-0.02)

        var routed = await h.AskAsync("confident?").AsTask().WaitAsync(Bound);

        Assert.Equal([AttemptOutcome.LowConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(Math.Exp(-1), routed.Attempts[0].Confidence!.Value, 6);
        Assert.Equal(Math.Exp(-0.02), routed.Answer.Confidence!.Value, 6);
        Assert.All(h.Server.Requests, r => Assert.True(r.LogProbsRequested));
    }

    [Fact]
    public async Task Recorded_runs_come_back_through_http_with_their_text_usage_and_confidence()
    {
        var recording = RoutedPrompts.Replay.ReplayRecording.Load(Datasets.PathOf("mmlu-llama.jsonl"));
        await using var h = await HttpHarness.StartAsync(o =>
        {
            o.Tiers["Small"].Deployments = [new DeploymentOptions { Provider = "alpha", Model = "llama3.2-1b", LogProbabilities = true }];
            o.Tiers.Remove("Medium");
            o.Tiers.Remove("Large");
        }, logProbabilities: ["alpha"]);
        h.Server.Answer = OpenAITestServer.Recorded(recording);
        var query = recording.Queries[7];
        var recorded = query.Answers["llama3.2-1b"];

        var routed = await h.Router.RouteAsync(Tasks.Summary(), query.Messages).AsTask().WaitAsync(Bound);

        Assert.Equal(recorded.Text.Trim(), routed.Value);
        Assert.Equal((recorded.InputTokens, recorded.OutputTokens), (routed.InputTokens, routed.OutputTokens));
        Assert.Equal(Math.Exp(recorded.LogProb!.Value), routed.Answer.Confidence!.Value, 6);
    }

    [Fact]
    public async Task Log_probabilities_are_not_requested_without_the_middleware()
    {
        await using var h = await HttpHarness.StartAsync();

        var routed = await h.AskAsync("plain").AsTask().WaitAsync(Bound);

        Assert.Null(routed.Answer.Confidence);
        Assert.False(Assert.Single(h.Server.Requests).LogProbsRequested);
    }

    [Fact]
    public async Task Api_keys_never_appear_in_exceptions_attempts_or_logs()
    {
        const string secret = "sk-do-not-leak-4242";
        await using var h = await HttpHarness.StartAsync(o => o.Tasks["Support.Summary"] = new TaskOptions { MaxTier = Tier.Small }, betaApiKey: secret);
        h.Server.Schedule("small-a", FaultKind.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.AskAsync("secret").AsTask().WaitAsync(Bound));

        Assert.Equal([503, 401], ex.Attempts.Select(a => a.StatusCode));
        Assert.Equal(ProviderFailureKind.ClientError, ex.Attempts[1].Failure);
        Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ex.Attempts, a => (a.Reason ?? string.Empty).Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Message.Contains(secret, StringComparison.Ordinal) || (r.Exception?.ToString() ?? string.Empty).Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.GetSnapshot(), r => r.Message.Contains("Ticket: secret", StringComparison.Ordinal)); // no prompt text either
    }
}
