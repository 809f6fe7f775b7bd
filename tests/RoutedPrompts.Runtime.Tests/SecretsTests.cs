using System.Collections.Concurrent;
using System.ClientModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// Provider exceptions whose messages carry an API key and the prompt (401/429/500 bodies that echo the request, an
/// <see cref="HttpRequestException"/>, a plain exception) leave no trace of either in logs (at Trace), activities,
/// metrics or <see cref="RoutingException"/> unless the application opts in.
/// </summary>
[Collection(SecretsCollection.Name)]
public sealed class SecretsTests
{
    private const string KeyCanary = "sk-canary-KEY-7f3a9c2e5b1d";
    private const string WrongKeyCanary = "sk-canary-WRONG-KEY-e2c41d";
    private const string PromptCanary = "PROMPT-CANARY-card-4111-1111";
    private static readonly string[] Canaries = [KeyCanary, WrongKeyCanary, PromptCanary];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Echoing_http_error_bodies_leave_no_key_or_prompt_anywhere()
    {
        using var capture = new TelemetryCapture();
        await using var h = await HttpHarness.StartAsync(betaApiKey: WrongKeyCanary, serverApiKey: KeyCanary);
        h.Server.EchoRequestInErrors = true;
        h.Server.Schedule("small-a", FaultKind.InternalServerError).Schedule("medium-a", new Fault(FaultKind.RateLimited, 0)).Schedule("large-a", FaultKind.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.AskAsync(PromptCanary).AsTask().WaitAsync(Bound));

        Assert.Equal([500, 401, 429, 401, 503, 401], ex.Attempts.Select(a => a.StatusCode));
        AssertNoCanary(ex, h.Logs, capture);
    }

    [Fact]
    public async Task The_http_error_bodies_do_carry_the_canaries_so_the_test_above_can_fail()
    {
        await using var h = await HttpHarness.StartAsync(o => o.ExposeProviderExceptions = true, betaApiKey: WrongKeyCanary, serverApiKey: KeyCanary);
        h.Server.EchoRequestInErrors = true;
        h.Server.Schedule("small-a", FaultKind.InternalServerError).Schedule("medium-a", FaultKind.InternalServerError).Schedule("large-a", FaultKind.InternalServerError);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.AskAsync(PromptCanary).AsTask().WaitAsync(Bound));

        // Opted in: the original exception is reachable, message and all.
        var inner = Assert.IsType<ClientResultException>(ex.InnerException);
        Assert.Equal(401, inner.Status);
        Assert.Contains(WrongKeyCanary, inner.Message, StringComparison.Ordinal);
        Assert.Contains(PromptCanary, inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exceptions_from_a_chat_client_leave_no_key_or_prompt_anywhere()
    {
        using var capture = new TelemetryCapture();
        using var h = CreateHarness(logContent: false, expose: false);
        h.OpenAi.Throw(Harness.SmallModel, new HttpRequestException($"500 from proxy; Authorization: Bearer {KeyCanary}; body: {PromptCanary}", null, HttpStatusCode.InternalServerError));
        h.Azure.Throw(Harness.SmallModel, new InvalidOperationException($"request failed: {PromptCanary} with {KeyCanary}", new IOException(KeyCanary)));

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small), Tasks.Messages(PromptCanary)).AsTask());

        Assert.Equal([AttemptOutcome.ProviderError, AttemptOutcome.ProviderError], ex.Attempts.Select(a => a.Outcome));
        Assert.Equal(["HttpRequestException (HTTP 500 InternalServerError)", "InvalidOperationException"], ex.Attempts.Select(a => a.Reason));
        Assert.Null(ex.InnerException);
        AssertNoCanary(ex, h.Services.GetFakeLogCollector(), capture);
    }

    [Fact]
    public async Task With_the_opt_ins_the_original_exception_is_reachable()
    {
        using var h = CreateHarness(logContent: true, expose: true);
        var error = new InvalidOperationException($"request failed: {PromptCanary} with {KeyCanary}");
        h.OpenAi.Throw(Harness.SmallModel, new HttpRequestException("down", null, HttpStatusCode.BadGateway));
        h.Azure.Throw(Harness.SmallModel, error);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small), Tasks.Messages(PromptCanary)).AsTask());

        Assert.Same(error, ex.InnerException); // ExposeProviderExceptions
        Assert.Contains(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "ProviderError" && ReferenceEquals(r.Exception, error)); // LogContent
    }

    private static Harness CreateHarness(bool logContent, bool expose) => Harness.Create(
        o =>
        {
            Harness.DefaultTiers(o);
            o.LogContent = logContent;
            o.ExposeProviderExceptions = expose;
        },
        s =>
        {
            s.AddMetrics();
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
            s.AddFakeLogging();
        });

    private static void AssertNoCanary(RoutingException ex, FakeLogCollector logs, TelemetryCapture capture)
    {
        var records = logs.GetSnapshot();
        Assert.NotEmpty(records);
        Assert.Contains(records, r => r.Id.Name == "ProviderError");
        var texts = new List<(string Where, string Text)>
        {
            ("RoutingException.ToString()", ex.ToString()),
            ("RoutingException.Message", ex.Message),
        };
        texts.AddRange(ex.Attempts.Select(a => ("attempt", a.ToString())));
        foreach (var record in records)
        {
            texts.Add(($"log {record.Id.Name}", record.Message));
            texts.Add(($"log {record.Id.Name} exception", record.Exception?.ToString() ?? string.Empty));
            foreach (var pair in record.StructuredState ?? [])
            {
                texts.Add(($"log {record.Id.Name} {pair.Key}", pair.Value ?? string.Empty));
            }
        }

        texts.AddRange(capture.Texts.Select(t => ("telemetry", t)));
        Assert.Contains(capture.Texts, t => t.StartsWith("activity RoutedPrompts.Attempt", StringComparison.Ordinal));
        Assert.Contains(capture.Texts, t => t.StartsWith("metric " + RoutedPromptsTelemetry.AttemptsInstrument, StringComparison.Ordinal));
        foreach (var canary in Canaries)
        {
            var leaks = texts.Where(t => t.Text.Contains(canary, StringComparison.Ordinal)).Select(t => t.Where).ToArray();
            Assert.True(leaks.Length == 0, $"'{canary}' leaked into: {string.Join(", ", leaks)}");
        }
    }

    /// <summary>Every activity (any source) and every measurement's tags (any meter) while it lives, as text.</summary>
    private sealed class TelemetryCapture : IDisposable
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters;

        public TelemetryCapture()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = _ => true,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    var text = $"activity {a.OperationName} {a.DisplayName} {a.StatusDescription} "
                        + string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))
                        + string.Join(" ", a.Events.Select(e => e.Name + " " + string.Join(" ", e.Tags.Select(t => $"{t.Key}={t.Value}"))))
                        + string.Join(" ", a.Baggage.Select(b => $"{b.Key}={b.Value}"));
                    _texts.Enqueue(text);
                },
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, tags));
            _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, tags));
            _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, tags));
            _meters.Start();
        }

        public IReadOnlyList<string> Texts
        {
            get
            {
                _meters.RecordObservableInstruments();
                return _texts.ToArray();
            }
        }

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = new System.Text.StringBuilder("metric ").Append(instrument.Name);
            foreach (var tag in tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }

            _texts.Enqueue(text.ToString());
        }
    }
}

/// <summary>The secrets tests listen to every activity source and meter in the process: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecretsCollection
{
    public const string Name = "Secrets";
}
