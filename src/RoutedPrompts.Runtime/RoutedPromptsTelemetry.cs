using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoutedPrompts;

/// <summary>Names of the RoutedPrompts <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments.</summary>
public static class RoutedPromptsTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>RoutedPrompts</c>.</summary>
    public const string SourceName = "RoutedPrompts";

    /// <summary>
    /// Counter of routed requests (tags: task, outcome <c>succeeded</c>/<c>failed</c>, tier that answered, and when set
    /// the request's <c>feature</c> (<see cref="RouteContext.Feature"/>) and the routing <c>rule</c> that matched).
    /// </summary>
    public const string RequestsInstrument = "routedprompts.requests";

    /// <summary>
    /// Counter of attempts (tags: task, tier, provider, model, outcome, and kind: <c>accepted</c>, <c>gate</c> for an
    /// answer that failed a gate, <c>availability</c> for a deployment that did not answer).
    /// </summary>
    public const string AttemptsInstrument = "routedprompts.attempts";

    /// <summary>Counter of escalations to a higher tier (tags: task, from, to, reason).</summary>
    public const string EscalationsInstrument = "routedprompts.escalations";

    /// <summary>Histogram of attempt cost in USD (tags: task, tier).</summary>
    public const string CostInstrument = "routedprompts.cost";

    /// <summary>Counter of tokens (tags: task, provider, model, type <c>input</c>/<c>output</c>).</summary>
    public const string TokensInstrument = "routedprompts.tokens";

    /// <summary>Histogram of attempt duration in seconds (tags: task, tier, provider, model, outcome, kind).</summary>
    public const string AttemptDurationInstrument = "routedprompts.attempt.duration";

    /// <summary>Counter of HTTP requests (tries) to a deployment (tags: tier, provider, model, result <c>success</c> or a <see cref="ProviderFailureKind"/> name, <c>CircuitOpen</c> counting shed requests).</summary>
    public const string ProviderRequestsInstrument = "routedprompts.provider.requests";

    /// <summary>Counter of retries of a deployment (tags: tier, provider, model).</summary>
    public const string RetriesInstrument = "routedprompts.provider.retries";

    /// <summary>Gauge of each deployment's circuit: 0 closed, 1 open, 2 half-open, 3 isolated (tags: tier, provider, model).</summary>
    public const string CircuitStateInstrument = "routedprompts.deployment.circuit_state";

    /// <summary>Gauge of each deployment's recent error rate, 0..1, exponentially weighted over its tries (tags: tier, provider, model).</summary>
    public const string ErrorRateInstrument = "routedprompts.deployment.error_rate";

    /// <summary>Gauge of each deployment's recent try latency in seconds, exponentially weighted (tags: tier, provider, model).</summary>
    public const string LatencyInstrument = "routedprompts.deployment.latency";

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
        ProviderRequests = meter.CreateCounter<long>(RoutedPromptsTelemetry.ProviderRequestsInstrument, "{request}", "HTTP requests (tries) to a deployment, by result.");
        Retries = meter.CreateCounter<long>(RoutedPromptsTelemetry.RetriesInstrument, "{retry}", "Retries of a deployment.");
        meter.CreateObservableGauge(RoutedPromptsTelemetry.CircuitStateInstrument, () => Observe(h => (int)h.CircuitState), "{state}", "Circuit state: 0 closed, 1 open, 2 half-open, 3 isolated.");
        meter.CreateObservableGauge(RoutedPromptsTelemetry.ErrorRateInstrument, () => Observe(h => h.ErrorRate), "1", "Recent error rate of a deployment.");
        meter.CreateObservableGauge(RoutedPromptsTelemetry.LatencyInstrument, () => Observe(h => h.AverageLatency?.TotalSeconds ?? 0d), "s", "Recent latency of a deployment's tries.");
    }


    private readonly List<WeakReference<Func<IReadOnlyList<DeploymentHealth>>>> _health = [];

    public Counter<long> Requests { get; }

    public Counter<long> Attempts { get; }

    public Counter<long> Escalations { get; }

    public Histogram<double> Cost { get; }

    public Counter<long> Tokens { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> ProviderRequests { get; }

    public Counter<long> Retries { get; }

    /// <summary>Exports a router's deployment health through the gauges (held weakly: a collected router stops reporting).</summary>
    public void Register(Func<IReadOnlyList<DeploymentHealth>> health)
    {
        lock (_health)
        {
            _health.Add(new WeakReference<Func<IReadOnlyList<DeploymentHealth>>>(health));
        }
    }

    private List<Measurement<T>> Observe<T>(Func<DeploymentHealth, T> value)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        lock (_health)
        {
            _health.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (var reference in _health)
            {
                if (!reference.TryGetTarget(out var health))
                {
                    continue;
                }

                foreach (var h in health())
                {
                    measurements.Add(new Measurement<T>(value(h),
                        new(TelemetryTags.Tier, TierNames.Name(h.Tier)), new(TelemetryTags.Provider, h.Deployment.Provider), new(TelemetryTags.Model, h.Deployment.Model)));
                }
            }
        }

        return measurements;
    }

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

/// <summary>Tag names of the router's activities and metrics (one set, so a dimension cannot split).</summary>
internal static class TelemetryTags
{
    public const string Task = "task";
    public const string Tier = "tier";
    public const string Provider = "provider";
    public const string Model = "model";
    public const string Outcome = "outcome";
    public const string Result = "result";
    public const string From = "from";
    public const string To = "to";
    public const string Reason = "reason";
    public const string TokenType = "type";
    public const string Kind = "kind";
    public const string Failure = "failure";
    public const string StatusCode = "http.response.status_code";
    public const string Retries = "retries";

    /// <summary>The request's <see cref="RouteContext.Feature"/> on <c>routedprompts.requests</c> (only when set).</summary>
    public const string Feature = "feature";

    /// <summary>The routing rule that matched, on <c>routedprompts.requests</c> (only when one did).</summary>
    public const string Rule = "rule";

    public const string ContextFeature = "routedprompts.context.feature";
    public const string ContextUserTier = "routedprompts.context.user_tier";

    /// <summary>On the route activity only: a tenant is too many values for a metric.</summary>
    public const string ContextTenant = "routedprompts.context.tenant";
    public const string RouteRule = "routedprompts.route.rule";
    public const string RouteStartTier = "routedprompts.route.start_tier";
    public const string RoutePlannedStartTier = "routedprompts.route.planned_start_tier";
}
