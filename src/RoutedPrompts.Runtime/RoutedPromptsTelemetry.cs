using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoutedPrompts;

/// <summary>Names of the RoutedPrompts <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments.</summary>
public static class RoutedPromptsTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>RoutedPrompts</c>.</summary>
    public const string SourceName = "RoutedPrompts";

    /// <summary>Counter of routed requests (tags: task, outcome <c>succeeded</c>/<c>failed</c>, tier that answered).</summary>
    public const string RequestsInstrument = "routedprompts.requests";

    /// <summary>Counter of attempts (tags: task, tier, provider, model, outcome).</summary>
    public const string AttemptsInstrument = "routedprompts.attempts";

    /// <summary>Counter of escalations to a higher tier (tags: task, from, to, reason).</summary>
    public const string EscalationsInstrument = "routedprompts.escalations";

    /// <summary>Histogram of attempt cost in USD (tags: task, tier).</summary>
    public const string CostInstrument = "routedprompts.cost";

    /// <summary>Counter of tokens (tags: task, provider, model, type <c>input</c>/<c>output</c>).</summary>
    public const string TokensInstrument = "routedprompts.tokens";

    /// <summary>Histogram of attempt duration in seconds (tags: task, tier, provider, model, outcome).</summary>
    public const string AttemptDurationInstrument = "routedprompts.attempt.duration";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(RoutedPromptsTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>The instruments of one meter.</summary>
internal sealed class RouterMetrics
{
    private static RouterMetrics? _shared;

    private RouterMetrics(Meter meter)
    {
        Requests = meter.CreateCounter<long>(RoutedPromptsTelemetry.RequestsInstrument, "{request}", "Routed requests.");
        Attempts = meter.CreateCounter<long>(RoutedPromptsTelemetry.AttemptsInstrument, "{attempt}", "Calls to a deployment.");
        Escalations = meter.CreateCounter<long>(RoutedPromptsTelemetry.EscalationsInstrument, "{escalation}", "Moves to a higher tier.");
        Cost = meter.CreateHistogram<double>(RoutedPromptsTelemetry.CostInstrument, "USD", "Cost of an attempt.");
        Tokens = meter.CreateCounter<long>(RoutedPromptsTelemetry.TokensInstrument, "{token}", "Tokens used.");
        Duration = meter.CreateHistogram<double>(RoutedPromptsTelemetry.AttemptDurationInstrument, "s", "Duration of an attempt.");
    }

    public Counter<long> Requests { get; }

    public Counter<long> Attempts { get; }

    public Counter<long> Escalations { get; }

    public Histogram<double> Cost { get; }

    public Counter<long> Tokens { get; }

    public Histogram<double> Duration { get; }

    /// <summary>Instruments on a meter from <paramref name="meterFactory"/>, or on one process-wide meter without a factory.</summary>
    public static RouterMetrics Create(IMeterFactory? meterFactory)
    {
        if (meterFactory is not null)
        {
            return new RouterMetrics(meterFactory.Create(RoutedPromptsTelemetry.SourceName));
        }

        return LazyInitializer.EnsureInitialized(ref _shared, static () => new RouterMetrics(new Meter(RoutedPromptsTelemetry.SourceName)));
    }
}
