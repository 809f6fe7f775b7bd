namespace RoutedPrompts;

/// <summary>The state of a deployment's circuit breaker.</summary>
public enum DeploymentCircuitState
{
    /// <summary>Requests flow normally.</summary>
    Closed = 0,

    /// <summary>Requests are shed to the next deployment until the break duration ends.</summary>
    Open,

    /// <summary>The break ended; the next request probes the deployment and closes or re-opens the circuit.</summary>
    HalfOpen,

    /// <summary>The circuit was opened manually.</summary>
    Isolated,
}

/// <summary>One deployment's health as the router sees it (see <see cref="PromptRouter.GetDeploymentHealth"/>).</summary>
/// <param name="Tier">The tier the deployment serves.</param>
/// <param name="Deployment">The deployment.</param>
/// <param name="CircuitState">Its circuit breaker's state (<see cref="DeploymentCircuitState.Closed"/> when the breaker is off).</param>
/// <param name="Requests">HTTP requests (tries) sent to it since the router started (or since the deployment was added to the tier's configuration; other reloads keep the count).</param>
/// <param name="Failures">How many of those failed (any <see cref="ProviderFailureKind"/>).</param>
/// <param name="ErrorRate">The recent error rate, 0..1, exponentially weighted over its tries (weight 0.1 for the newest).</param>
/// <param name="AverageLatency">The recent latency of a try, exponentially weighted; <see langword="null"/> before the first try.</param>
/// <param name="LastLatency">The latency of the last try; <see langword="null"/> before the first try.</param>
/// <param name="LastFailureAt">When the last failure happened; <see langword="null"/> if none did.</param>
public sealed record DeploymentHealth(
    Tier Tier,
    DeploymentInfo Deployment,
    DeploymentCircuitState CircuitState,
    long Requests,
    long Failures,
    double ErrorRate,
    TimeSpan? AverageLatency,
    TimeSpan? LastLatency,
    DateTimeOffset? LastFailureAt);

/// <summary>The health of the router's configuration (see <see cref="PromptRouter.GetConfigurationHealth"/>).</summary>
/// <param name="Degraded">
/// <see langword="true"/> when the latest configuration reload failed validation and the router still serves the last
/// valid configuration; a valid reload clears it.
/// </param>
/// <param name="Reason">The rejected reload's validation message (each configuration path at fault and its fix); <see langword="null"/> when not degraded.</param>
/// <param name="RejectedAt">When the router first saw the rejected reload; <see langword="null"/> when not degraded.</param>
public sealed record ConfigurationHealth(bool Degraded, string? Reason, DateTimeOffset? RejectedAt)
{
    /// <summary>Running on the current configuration.</summary>
    public static ConfigurationHealth Current { get; } = new(false, null, null);
}
