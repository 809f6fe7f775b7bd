using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>A fake clock that records the due time of every timer created on it (retry delays, timeouts, breaks).</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public IReadOnlyList<TimeSpan> Timers => _timers.ToArray();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return Fake.CreateTimer(callback, state, dueTime, period);
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);

    /// <summary>Waits (real time, bounded) until a timer matching <paramref name="match"/> has been created.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var due in Timers)
            {
                if (match(due))
                {
                    return due;
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("No matching timer was created within 20 s.");
    }
}

/// <summary>
/// A router over the real client stack (OpenAI SDK through AsIChatClient, keyed per provider) against an
/// <see cref="OpenAITestServer"/> on loopback. Providers <c>alpha</c> and <c>beta</c> serve each tier with models
/// <c>small-a</c>/<c>small-b</c>, <c>medium-a</c>/<c>medium-b</c>, <c>large-a</c>/<c>large-b</c>. The providers named in
/// <c>logProbabilities</c> are built with <c>UseOpenAILogProbabilities()</c>.
/// </summary>
public sealed class HttpHarness(OpenAITestServer server, ServiceProvider services, FakeLogCollector logs) : IAsyncDisposable
{
    public OpenAITestServer Server => server;

    public ServiceProvider Services => services;

    public FakeLogCollector Logs => logs;

    public PromptRouter Router => Services.GetRequiredService<PromptRouter>();

    public static string Model(Tier tier, string provider) => $"{tier.ToString().ToLowerInvariant()}-{(provider == "alpha" ? "a" : "b")}";

    public static async Task<HttpHarness> StartAsync(Action<RoutedPromptsOptions>? configure = null, TimeProvider? time = null, string? betaApiKey = null, string? serverApiKey = null, string[]? logProbabilities = null)
    {
        var server = await OpenAITestServer.StartAsync(apiKey: serverApiKey);
        var services = new ServiceCollection();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddFakeLogging();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddMetrics();
        services.AddOpenAITestProvider("alpha", server, logProbabilities: logProbabilities?.Contains("alpha") == true);
        services.AddOpenAITestProvider("beta", server, betaApiKey, logProbabilities: logProbabilities?.Contains("beta") == true);
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(options =>
        {
            foreach (var tier in new[] { Tier.Small, Tier.Medium, Tier.Large })
            {
                options.Tiers[tier.ToString()] = new TierOptions
                {
                    Deployments =
                    [
                        new DeploymentOptions { Provider = "alpha", Model = Model(tier, "alpha") },
                        new DeploymentOptions { Provider = "beta", Model = Model(tier, "beta") },
                    ],
                };
            }

            options.Resilience = new ResilienceOptions { MaxRetries = 0, RetryBaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromSeconds(20), CircuitBreakerEnabled = false };
            configure?.Invoke(options);
        });
        var provider = services.BuildServiceProvider();
        return new HttpHarness(server, provider, provider.GetFakeLogCollector());
    }

    public ValueTask<Routed<string>> AskAsync(string text, CancellationToken cancellationToken = default) =>
        Router.RouteAsync(Tasks.Summary(), Tasks.Messages(text), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
