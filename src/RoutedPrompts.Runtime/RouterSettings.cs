namespace RoutedPrompts;

/// <summary>A configured deployment with its prices, ready to call.</summary>
internal sealed record DeploymentPlan(Tier Tier, DeploymentInfo Info, decimal InputUsdPerMillionTokens, decimal OutputUsdPerMillionTokens)
{
    /// <summary>Timeout, retry and circuit-breaker settings (deployment, then tier, then root, then defaults).</summary>
    public ResolvedResilience Resilience { get; init; } = ResolvedResilience.Default;

    /// <summary>Whether the deployment's answers carry a confidence signal (its client stack must report one).</summary>
    public bool LogProbabilities { get; init; }

    /// <summary>The configured price of cached input tokens; <see langword="null"/>: the input price (see <see cref="CachedInputPrice"/>).</summary>
    public decimal? CachedInputUsdPerMillionTokens { get; init; }

    /// <summary>The price of cached input tokens: the configured one, else the input price.</summary>
    public decimal CachedInputPrice => CachedInputUsdPerMillionTokens ?? InputUsdPerMillionTokens;

    /// <summary>
    /// The cost of the usage at the prices: uncached input, cached input (<paramref name="cachedInputTokens"/>, part of
    /// <paramref name="inputTokens"/>) and output, each at its own price.
    /// </summary>
    public decimal Cost(long inputTokens, long cachedInputTokens, long outputTokens) =>
        (((inputTokens - cachedInputTokens) * InputUsdPerMillionTokens) + (cachedInputTokens * CachedInputPrice) + (outputTokens * OutputUsdPerMillionTokens)) / 1_000_000m;

    /// <summary>
    /// The attempt's cost: from the prices, or, when the deployment has no prices configured, the recorded cost the
    /// response reports (<see cref="RoutedPromptsResponseProperties.RecordedCostUsd"/>, set by the replay client).
    /// Tokens and recorded cost are plausible here: the channel rejected any other response as malformed
    /// (<see cref="MalformedResponseException.ThrowIfMalformed"/>), cached input tokens above the input tokens included.
    /// </summary>
    public decimal Cost(long inputTokens, long cachedInputTokens, long outputTokens, Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties) =>
        InputUsdPerMillionTokens == 0m && CachedInputPrice == 0m && OutputUsdPerMillionTokens == 0m &&
        ResponseConfidence.Number(properties, RoutedPromptsResponseProperties.RecordedCostUsd) is { } usd
            ? (decimal)usd
            : Cost(inputTokens, cachedInputTokens, outputTokens);
}

/// <summary>The router's view of one <see cref="RoutedPromptsOptions"/> instance, rebuilt when the options change.</summary>
internal sealed class RouterSettings
{
    private readonly DeploymentPlan[][] _tiers;
    private readonly TierUnavailableBehavior[] _whenUnavailable;

    private RouterSettings(RoutedPromptsOptions source)
    {
        Source = source;
        Rules = RouteRules.Build(source);
        _tiers = new DeploymentPlan[TierNames.All.Length][];
        _whenUnavailable = new TierUnavailableBehavior[TierNames.All.Length];
        for (var i = 0; i < _tiers.Length; i++)
        {
            _tiers[i] = [];
            _whenUnavailable[i] = source.WhenTierUnavailable;
        }

        foreach (var (name, tierOptions) in source.Tiers)
        {
            if (!TierNames.TryParse(name, out var tier) || tierOptions?.Deployments is null)
            {
                continue;
            }

            _tiers[(int)tier] = tierOptions.Deployments
                .Where(d => d is not null && !string.IsNullOrWhiteSpace(d.Provider) && !string.IsNullOrWhiteSpace(d.Model))
                .Select(d => new DeploymentPlan(tier, new DeploymentInfo(d.Provider, d.Model), d.InputUsdPerMillionTokens, d.OutputUsdPerMillionTokens)
                {
                    Resilience = ResolvedResilience.Resolve(d.Resilience, tierOptions.Resilience, source.Resilience),
                    LogProbabilities = d.LogProbabilities,
                    CachedInputUsdPerMillionTokens = d.CachedInputUsdPerMillionTokens,
                })
                .ToArray();
            _whenUnavailable[(int)tier] = tierOptions.WhenUnavailable ?? source.WhenTierUnavailable;
        }
    }

    /// <summary>The routing rules of these options, each pattern compiled once.</summary>
    public RouteRules Rules { get; }

    /// <summary>The options these settings were built from.</summary>
    public RoutedPromptsOptions Source { get; }

    public static RouterSettings Build(RoutedPromptsOptions options) => new(options);

    /// <summary>The deployments of <paramref name="tier"/>, in preference order.</summary>
    public IReadOnlyList<DeploymentPlan> Deployments(Tier tier) => (uint)tier < (uint)_tiers.Length ? _tiers[(int)tier] : [];

    /// <summary>What to do when no deployment of <paramref name="tier"/> is available.</summary>
    public TierUnavailableBehavior WhenUnavailable(Tier tier) =>
        (uint)tier < (uint)_whenUnavailable.Length ? _whenUnavailable[(int)tier] : Source.WhenTierUnavailable;

    /// <summary>The tiers a request of <paramref name="task"/> may use: the start tier (config may raise it) up to the max tier (config may lower it), by <see cref="Shared.TierRange.Reachable"/>.</summary>
    public (Tier Start, Tier Max) Range(RoutedTask task)
    {
        var overrides = Overrides(task.Name);
        var (start, max) = Shared.TierRange.Reachable((int)task.Tier, (int)task.MaxTier, (int?)overrides?.Tier, (int?)overrides?.MaxTier);
        return ((Tier)start, (Tier)max);
    }

    /// <summary>
    /// The confidence threshold at <paramref name="tier"/>: configuration's task-wide threshold first, then the
    /// descriptor's threshold for that tier, then the descriptor's task-wide one; <see langword="null"/> when none is set
    /// (a NaN counts as unset).
    /// </summary>
    public double? ConfidenceThreshold(RoutedTask task, Tier tier)
    {
        var configured = Overrides(task.Name)?.ConfidenceThreshold;
        var threshold = configured
            ?? (task.TierConfidenceThresholds is { } perTier && perTier.TryGetValue(tier, out var t) ? t : task.ConfidenceThreshold);
        return threshold is { } value && !double.IsNaN(value) ? value : null;
    }

    private TaskOptions? Overrides(string taskName) =>
        Source.Tasks.TryGetValue(taskName, out var overrides) ? overrides : null;
}
