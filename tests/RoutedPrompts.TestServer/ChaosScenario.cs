using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts.Testing;

/// <summary>The chaos run's shape: how many calls, how parallel, and the server's fault rates.</summary>
public sealed record ChaosSettings
{
    public int Calls { get; init; } = 2_000;

    public int Concurrency { get; init; } = 48;

    public double RateLimited { get; init; } = 0.20;

    public double ServerError { get; init; } = 0.10;

    public double Hang { get; init; } = 0.05;

    public double Malformed { get; init; } = 0.05;

    /// <summary>Share of calls whose small-tier answer is well-formed but low-confidence (a gate failure that escalates).</summary>
    public double LowConfidenceAnswers { get; init; } = 0.05;

    public int MaxRetries { get; init; } = 2;

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Seed { get; init; } = 20_26;

    /// <summary>
    /// Every n-th try (after the warm-up) stalls on the client, past its <see cref="AttemptTimeout"/>, before it is sent
    /// (0: none): what a client starved of CPU does, so its try times out without the server ever seeing it.
    /// </summary>
    public int StallEvery { get; init; }
}

/// <summary>What a chaos run saw, and every broken invariant.</summary>
public sealed class ChaosReport
{
    public required ChaosSettings Settings { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required int Succeeded { get; init; }

    public required int RoutingFailures { get; init; }

    public required IReadOnlyDictionary<Tier, int> AnsweredBy { get; init; }

    public required IReadOnlyDictionary<string, long> ClientResults { get; init; }

    public required IReadOnlyDictionary<FaultKind, int> ServerInjected { get; init; }

    public required int ServerRequests { get; init; }

    /// <summary>Tries the client counted that timed out before the server logged them (allowed, up to each call's own timed-out tries).</summary>
    public required int UnloggedTries { get; init; }

    public required long Retries { get; init; }

    public required long CircuitOpenAttempts { get; init; }

    public required long GateFailures { get; init; }

    public required TimeSpan P50 { get; init; }

    public required TimeSpan P99 { get; init; }

    public required TimeSpan Max { get; init; }

    public required int UnobservedTaskExceptions { get; init; }

    public required IReadOnlyList<string> Violations { get; init; }

    public double CallsPerSecond => (Succeeded + RoutingFailures) / Elapsed.TotalSeconds;

    public long Client(string result) => ClientResults.TryGetValue(result, out var n) ? n : 0;

    public int Server(params FaultKind[] kinds) => kinds.Sum(k => ServerInjected.TryGetValue(k, out var n) ? n : 0);

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"calls: {Settings.Calls} (concurrency {Settings.Concurrency}) in {Elapsed.TotalSeconds:0.00} s = {CallsPerSecond:0.0} calls/s");
        text.AppendLine(c, $"latency: p50 {P50.TotalMilliseconds:0.0} ms, p99 {P99.TotalMilliseconds:0.0} ms, max {Max.TotalMilliseconds:0.0} ms");
        text.AppendLine(c, $"outcomes: {Succeeded} answered ({string.Join(", ", AnsweredBy.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}), {RoutingFailures} RoutingException, {Settings.Calls - Succeeded - RoutingFailures} lost");
        text.AppendLine(c, $"attempts: {GateFailures} gate failures, {CircuitOpenAttempts} shed by open circuits, {Retries} retries");
        text.AppendLine(c, $"client tries that timed out before the server logged them: {UnloggedTries}");
        text.AppendLine(c, $"server: {ServerRequests} requests; injected 429 {Server(FaultKind.RateLimited)}, 5xx {Server(FaultKind.InternalServerError, FaultKind.BadGateway, FaultKind.ServiceUnavailable)}, hangs {Server(FaultKind.Hang)}, malformed {Server(FaultKind.MalformedBody)}");
        text.AppendLine(c, $"client: {string.Join(", ", ClientResults.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        text.AppendLine(c, $"unobserved task exceptions: {UnobservedTaskExceptions}");
        text.Append(c, $"violations: {Violations.Count}");
        foreach (var violation in Violations.Take(20))
        {
            text.AppendLine().Append("  ").Append(violation);
        }

        return text.ToString();
    }
}

/// <summary>
/// Many routed calls through the real client stack against an <see cref="OpenAITestServer"/> injecting faults at rates,
/// two providers per tier, checking every call's invariants. Used by the test suite (2,000 calls) and by
/// <c>benchmarks/RoutedPrompts.Chaos</c> (20,000).
/// </summary>
public static class ChaosScenario
{
    private const string TaskName = "Chaos.Echo";
    private static readonly string[] Providers = ["alpha", "beta"];

    public static async Task<ChaosReport> RunAsync(ChaosSettings settings, CancellationToken cancellationToken = default)
    {
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            return await RunCoreAsync(settings, () => Volatile.Read(ref unobserved), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    private static async Task<ChaosReport> RunCoreAsync(ChaosSettings settings, Func<int> unobserved, CancellationToken cancellationToken)
    {
        await using var server = await OpenAITestServer.StartAsync(settings.Seed).ConfigureAwait(false);
        var lowConfidenceEvery = settings.LowConfidenceAnswers > 0 ? (int)Math.Round(1 / settings.LowConfidenceAnswers) : int.MaxValue;
        server.Answer = r => new ServerAnswer(
            "ok: " + r.UserText,
            r.Model.StartsWith("small", StringComparison.Ordinal) && CallIndex(r.UserText) % lowConfidenceEvery == 0 ? -1.0 : -0.0001);
        var tiers = new[] { Tier.Small, Tier.Medium, Tier.Large };

        var services = new ServiceCollection();
        services.AddMetrics();
        var tries = new ClientTries(settings.StallEvery);
        foreach (var name in Providers)
        {
            services.AddOpenAITestProvider(name, server, wrap: inner => new TryCountingChatClient(inner, tries), logProbabilities: true);
        }

        services.AddRoutedPrompts(options =>
        {
            foreach (var tier in tiers)
            {
                options.Tiers[tier.ToString()] = new TierOptions
                {
                    Deployments = Providers.Select(p => new DeploymentOptions { Provider = p, Model = Model(tier, p), LogProbabilities = true }).ToList(),
                };
            }

            options.Resilience = new ResilienceOptions
            {
                AttemptTimeout = settings.AttemptTimeout,
                MaxRetries = settings.MaxRetries,
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                RetryMaxDelay = TimeSpan.FromMilliseconds(100),
                MaxRetryAfter = TimeSpan.FromMilliseconds(20), // the server asks for 1 s: honoured, capped
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(1),
                BreakDuration = TimeSpan.FromSeconds(1),
            };
        });
        await using var serviceProvider = services.BuildServiceProvider();
        var router = serviceProvider.GetRequiredService<PromptRouter>();
        var meterFactory = serviceProvider.GetRequiredService<IMeterFactory>();
        var task = new RoutedTask<string>
        {
            Name = TaskName,
            DeclaringType = "Chaos",
            MethodName = "EchoAsync",
            Tier = Tier.Small,
            Template = "{text}",
            Parameters = ["text"],
            ConfidenceThreshold = 0.5,
        };

        // Warm up without faults (JIT, connections to every model), so cold starts are not counted as timeouts.
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Concurrency * 2), new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var tier = (Tier)(i % tiers.Length);
            await router.RouteAsync(task, [new ChatMessage(ChatRole.User, "warm-up")], ct).ConfigureAwait(false);
            await serviceProvider.GetRequiredKeyedService<IChatClient>(Providers[i % 2])
                .GetResponseAsync([new ChatMessage(ChatRole.User, "warm-up")], new ChatOptions { ModelId = Model(tier, Providers[i % 2]) }, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        server.ResetCounts();
        tries.Arm();
        var rates = new FaultRates(settings.RateLimited, settings.ServerError, settings.Hang, settings.Malformed, RetryAfterSeconds: 1);
        foreach (var tier in tiers)
        {
            foreach (var name in Providers)
            {
                server.Rates(Model(tier, name), rates);
            }
        }

        var clientResults = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == RoutedPromptsTelemetry.ProviderRequestsInstrument)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    clientResults.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                }
            }
        });
        listener.Start();

        // A call may try every deployment of every tier, each with its retries, timeouts and capped delays.
        var perCallBound = TimeSpan.FromTicks((settings.AttemptTimeout + TimeSpan.FromMilliseconds(150)).Ticks * tiers.Length * Providers.Length * (settings.MaxRetries + 1))
            + TimeSpan.FromSeconds(10);
        var violations = new ConcurrentQueue<string>();
        var latencies = new long[settings.Calls];
        var answeredBy = new ConcurrentDictionary<Tier, int>();
        int succeeded = 0, failed = 0;
        long retries = 0, circuitOpen = 0, gateFailures = 0;
        var attemptsPerCall = new IReadOnlyList<RoutingAttempt>?[settings.Calls];
        var started = Stopwatch.GetTimestamp();

        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Calls), new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var text = "call-" + i.ToString(CultureInfo.InvariantCulture);
            var callStarted = Stopwatch.GetTimestamp();
            IReadOnlyList<RoutingAttempt>? attempts = null;
            try
            {
                var routed = await router.RouteAsync(task, [new ChatMessage(ChatRole.User, text)], ct).AsTask().WaitAsync(perCallBound, ct).ConfigureAwait(false);
                attempts = routed.Attempts;
                Interlocked.Increment(ref succeeded);
                answeredBy.AddOrUpdate(routed.Tier, 1, (_, n) => n + 1);
                if (routed.Value != "ok: " + text)
                {
                    violations.Enqueue($"{text}: answered with someone else's answer '{routed.Value}'");
                }

                if (routed.Attempts.Where(a => !a.IsAvailabilityFailure && !a.Accepted).Any(a => a.Tier >= routed.Tier))
                {
                    violations.Enqueue($"{text}: answered by {routed.Tier} although that tier or a higher one was gated");
                }
            }
            catch (RoutingException ex)
            {
                attempts = ex.Attempts;
                Interlocked.Increment(ref failed);
            }
            catch (TimeoutException)
            {
                violations.Enqueue($"{text}: hung past {perCallBound}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                violations.Enqueue($"{text}: lost to {ex.GetType().Name}: {ex.Message}");
            }

            latencies[i] = Stopwatch.GetTimestamp() - callStarted;
            attemptsPerCall[i] = attempts;
            if (attempts is null)
            {
                return;
            }

            for (var a = 0; a < attempts.Count; a++)
            {
                var attempt = attempts[a];
                Interlocked.Add(ref retries, attempt.Retries);
                if (attempt.Outcome == AttemptOutcome.CircuitOpen)
                {
                    Interlocked.Increment(ref circuitOpen);
                }
                else if (!attempt.IsAvailabilityFailure && !attempt.Accepted)
                {
                    Interlocked.Increment(ref gateFailures);
                }

                if (attempt.Retries > settings.MaxRetries || attempt.Requests > settings.MaxRetries + 1)
                {
                    violations.Enqueue($"{text}: attempt {a + 1} ({attempt.Deployment}) made {attempt.Requests} requests with {attempt.Retries} retries, over the budget of {settings.MaxRetries}");
                }

                if (a > 0 && attempt.Tier < attempts[a - 1].Tier)
                {
                    violations.Enqueue($"{text}: moved down from {attempts[a - 1].Tier} to {attempt.Tier}");
                }
            }
        }).ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!await server.WaitIdleAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            violations.Enqueue($"{server.InFlight} request(s) still open on the server after every call ended (leaked or never cancelled)");
        }
        listener.RecordObservableInstruments();

        // Every request the client made reached the server, and nothing else did, except tries that timed out on the
        // client before the server logged them (a starved client): each call may miss at most its own timed-out tries.
        var unlogged = 0;
        for (var i = 0; i < settings.Calls; i++)
        {
            if (attemptsPerCall[i] is { } attempts)
            {
                var text = "call-" + i.ToString(CultureInfo.InvariantCulture);
                var made = attempts.Sum(a => a.Requests);
                var seen = server.RequestsWith(text);
                if (RequestCountViolation(text, made, seen, tries.TimedOut(text)) is { } violation)
                {
                    violations.Enqueue(violation);
                }
                else
                {
                    unlogged += made - seen;
                }
            }
        }

        var injected = Enum.GetValues<FaultKind>().ToDictionary(k => k, server.Injected);
        var report = new ChaosReport
        {
            Settings = settings,
            Elapsed = elapsed,
            Succeeded = succeeded,
            RoutingFailures = failed,
            AnsweredBy = answeredBy,
            ClientResults = clientResults,
            ServerInjected = injected,
            ServerRequests = server.Requests.Count,
            UnloggedTries = unlogged,
            Retries = retries,
            CircuitOpenAttempts = circuitOpen,
            GateFailures = gateFailures,
            P50 = Percentile(latencies, 0.50),
            P99 = Percentile(latencies, 0.99),
            Max = Percentile(latencies, 1.0),
            UnobservedTaskExceptions = 0,
            Violations = [],
        };

        // The faults the client saw are the faults the server injected.
        Compare(violations, "429", report.Client("RateLimited"), report.Server(FaultKind.RateLimited));
        Compare(violations, "5xx", report.Client("ServerError"), report.Server(FaultKind.InternalServerError, FaultKind.BadGateway, FaultKind.ServiceUnavailable));
        Compare(violations, "timeouts/hangs (less the tries the server never logged)", report.Client("Timeout") - unlogged, report.Server(FaultKind.Hang));
        Compare(violations, "malformed bodies", report.Client("MalformedResponse"), report.Server(FaultKind.MalformedBody));
        Compare(violations, "successful requests", report.Client("success"), report.Server(FaultKind.None));
        if (succeeded + failed != settings.Calls)
        {
            violations.Enqueue($"{settings.Calls - succeeded - failed} call(s) ended in neither an answer nor a RoutingException");
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var unobservedCount = unobserved();
        if (unobservedCount > 0)
        {
            violations.Enqueue($"{unobservedCount} unobserved task exception(s)");
        }

        return new ChaosReport
        {
            Settings = report.Settings, Elapsed = report.Elapsed, Succeeded = report.Succeeded, RoutingFailures = report.RoutingFailures,
            AnsweredBy = report.AnsweredBy, ClientResults = report.ClientResults, ServerInjected = report.ServerInjected, ServerRequests = report.ServerRequests, UnloggedTries = report.UnloggedTries,
            Retries = report.Retries, CircuitOpenAttempts = report.CircuitOpenAttempts, GateFailures = report.GateFailures,
            P50 = report.P50, P99 = report.P99, Max = report.Max, UnobservedTaskExceptions = unobservedCount, Violations = violations.ToArray(),
        };
    }

    /// <summary>
    /// The per-call request invariant: the server saw no more requests than the client made, and the client made more
    /// only by tries that timed out on the client (which the server may never have logged).
    /// </summary>
    /// <returns>The violation, or <see langword="null"/> when the counts agree.</returns>
    public static string? RequestCountViolation(string call, int made, int seen, int timedOutOnClient) =>
        seen > made || made - seen > timedOutOnClient
            ? $"{call}: the client counted {made} requests ({timedOutOnClient} timed out on the client), the server saw {seen}"
            : null;

    private static string Model(Tier tier, string provider) => $"{tier.ToString().ToLowerInvariant()}-{provider}";

    private static int CallIndex(string userText) =>
        int.TryParse(userText.AsSpan(userText.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 1;

    private static void Compare(ConcurrentQueue<string> violations, string what, long client, int server)
    {
        if (client != server)
        {
            violations.Enqueue($"{what}: the client saw {client}, the server injected {server}");
        }
    }

    private static TimeSpan Percentile(long[] ticks, double p)
    {
        var sorted = ticks.Where(t => t > 0).Order().ToArray();
        if (sorted.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var index = Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1);
        return TimeSpan.FromSeconds(sorted[index] / (double)Stopwatch.Frequency);
    }
}

/// <summary>Per call (its user text), the tries that timed out on the client; optionally stalls every n-th try.</summary>
internal sealed class ClientTries(int stallEvery)
{
    private readonly ConcurrentDictionary<string, int> _timedOut = new(StringComparer.Ordinal);
    private int _armed;
    private int _count;

    public void Arm()
    {
        _timedOut.Clear();
        Volatile.Write(ref _armed, 1);
    }

    public int TimedOut(string userText) => _timedOut.TryGetValue(userText, out var n) ? n : 0;

    public bool ShouldStall() => stallEvery > 0 && Volatile.Read(ref _armed) == 1 && Interlocked.Increment(ref _count) % stallEvery == 0;

    public void NoteTimedOut(string userText) => _timedOut.AddOrUpdate(userText, 1, static (_, n) => n + 1);
}

/// <summary>Sits between the router and the SDK: counts each call's tries cancelled by their timeout, and stalls some.</summary>
internal sealed class TryCountingChatClient(IChatClient inner, ClientTries tries) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var userText = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        try
        {
            if (tries.ShouldStall())
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }

            return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            tries.NoteTimedOut(userText);
            throw;
        }
    }
}
