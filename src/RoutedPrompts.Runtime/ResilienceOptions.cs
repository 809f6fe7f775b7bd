namespace RoutedPrompts;

/// <summary>
/// How one deployment is called: a timeout per attempt, retries with exponential backoff and jitter (honouring
/// <c>Retry-After</c>), and a circuit breaker that sheds traffic to the next deployment of the tier. Every value is
/// optional: an unset value falls back to the tier's section, then the root <c>RoutedPrompts:Resilience</c> section,
/// then the default documented on the property.
/// </summary>
public sealed class ResilienceOptions
{
    /// <summary>Timeout of one try (one HTTP request). Default 30 seconds.</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Retries after the first try, on 408, 429, 5xx, timeouts, network errors and malformed bodies. 0 turns retries off. Default 2.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>The first retry's backoff; it doubles per retry, with jitter. Default 200 milliseconds.</summary>
    public TimeSpan? RetryBaseDelay { get; set; }

    /// <summary>The longest backoff between two tries. Default 5 seconds.</summary>
    public TimeSpan? RetryMaxDelay { get; set; }

    /// <summary>The longest <c>Retry-After</c> the router waits for; a longer one is capped to this. Default 10 seconds.</summary>
    public TimeSpan? MaxRetryAfter { get; set; }

    /// <summary>Whether the circuit breaker is on. Default <see langword="true"/>.</summary>
    public bool? CircuitBreakerEnabled { get; set; }

    /// <summary>The failure ratio (0..1] over <see cref="SamplingDuration"/> that opens the circuit. Default 0.5.</summary>
    public double? FailureRatio { get; set; }

    /// <summary>How many tries the sampling window needs before the ratio can open the circuit (at least 2). Default 10.</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>The sampling window of the failure ratio. Default 30 seconds.</summary>
    public TimeSpan? SamplingDuration { get; set; }

    /// <summary>How long an open circuit sheds traffic before one probe is let through (half-open). Default 30 seconds.</summary>
    public TimeSpan? BreakDuration { get; set; }
}

/// <summary>The resilience settings of one deployment after layering deployment, tier, root and defaults.</summary>
internal sealed record ResolvedResilience(
    TimeSpan AttemptTimeout,
    int MaxRetries,
    TimeSpan RetryBaseDelay,
    TimeSpan RetryMaxDelay,
    TimeSpan MaxRetryAfter,
    bool CircuitBreakerEnabled,
    double FailureRatio,
    int MinimumThroughput,
    TimeSpan SamplingDuration,
    TimeSpan BreakDuration)
{
    public static ResolvedResilience Default { get; } = new(
        TimeSpan.FromSeconds(30), 2, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
        true, 0.5, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    /// <summary>What the circuit breaker is built from: a reload that leaves these unchanged keeps the breaker, open or not.</summary>
    public BreakerSettings Breaker => new(FailureRatio, MinimumThroughput, SamplingDuration, BreakDuration);

    /// <summary>Takes each value from the first layer that sets it (most specific first), else the default.</summary>
    public static ResolvedResilience Resolve(params ResilienceOptions?[] layers)
    {
        T Pick<T>(Func<ResilienceOptions, T?> read, T fallback)
            where T : struct
        {
            foreach (var layer in layers)
            {
                if (layer is not null && read(layer) is { } value)
                {
                    return value;
                }
            }

            return fallback;
        }

        var d = Default;
        return new ResolvedResilience(
            Pick(o => o.AttemptTimeout, d.AttemptTimeout),
            Pick(o => o.MaxRetries, d.MaxRetries),
            Pick(o => o.RetryBaseDelay, d.RetryBaseDelay),
            Pick(o => o.RetryMaxDelay, d.RetryMaxDelay),
            Pick(o => o.MaxRetryAfter, d.MaxRetryAfter),
            Pick(o => o.CircuitBreakerEnabled, d.CircuitBreakerEnabled),
            Pick(o => o.FailureRatio, d.FailureRatio),
            Pick(o => o.MinimumThroughput, d.MinimumThroughput),
            Pick(o => o.SamplingDuration, d.SamplingDuration),
            Pick(o => o.BreakDuration, d.BreakDuration));
    }
}

/// <summary>The settings of a deployment's circuit breaker (see <see cref="ResolvedResilience.Breaker"/>).</summary>
internal readonly record struct BreakerSettings(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration);
