namespace RoutedPrompts;

/// <summary>
/// RoutedPrompts configuration: which deployments serve each tier, and per-task overrides. Bound from the
/// <see cref="SectionName"/> configuration section, which has the same shape as a project's <c>routedprompts.json</c>.
/// </summary>
public sealed class RoutedPromptsOptions
{
    /// <summary>The configuration section the options are bound from: <c>RoutedPrompts</c>.</summary>
    public const string SectionName = "RoutedPrompts";

    /// <summary>Deployments per tier, keyed by tier name (<c>Small</c>, <c>Medium</c>, <c>Large</c>).</summary>
    public Dictionary<string, TierOptions> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-task overrides, keyed by task name (for example <c>SupportPrompts.Triage</c>).</summary>
    public Dictionary<string, TaskOptions> Tasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether logs may contain prompt and answer text and provider exceptions (whose messages may echo a key or the
    /// request). Off by default: logs then carry task names, tiers, deployments, outcomes, exception types and HTTP
    /// statuses only.
    /// </summary>
    public bool LogContent { get; set; }

    /// <summary>
    /// Whether <c>RoutingException.InnerException</c> is the last provider exception as the client threw it. Off
    /// by default, because SDKs and proxies echo the API key or the request body in exception messages; attempts then
    /// carry only the exception type, HTTP status and failure kind, and <c>InnerException</c> is <see langword="null"/>.
    /// </summary>
    public bool ExposeProviderExceptions { get; set; }

    /// <summary>
    /// Retry, timeout and circuit-breaker defaults for every deployment. A tier's and a deployment's own
    /// <c>Resilience</c> section override these value by value.
    /// </summary>
    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// What happens when every deployment of a tier is unavailable (errors, timeouts, open circuits): by default the
    /// request escalates to the next higher tier; <see cref="TierUnavailableBehavior.Fail"/> ends it with a
    /// <see cref="RoutingException"/> instead. A tier's <see cref="TierOptions.WhenUnavailable"/> overrides it.
    /// </summary>
    public TierUnavailableBehavior WhenTierUnavailable { get; set; }
}

/// <summary>What the router does when no deployment of a tier is available.</summary>
public enum TierUnavailableBehavior
{
    /// <summary>Move up to the next higher tier (an upgrade, never a downgrade).</summary>
    Escalate = 0,

    /// <summary>Stop and throw a <see cref="RoutingException"/> with every attempt.</summary>
    Fail,
}

/// <summary>The deployments serving one tier.</summary>
public sealed class TierOptions
{
    /// <summary>The deployments in preference order; later ones are used when earlier ones are unavailable.</summary>
    public List<DeploymentOptions> Deployments { get; set; } = [];

    /// <summary>Overrides <see cref="RoutedPromptsOptions.Resilience"/> for this tier's deployments, value by value.</summary>
    public ResilienceOptions? Resilience { get; set; }

    /// <summary>Overrides <see cref="RoutedPromptsOptions.WhenTierUnavailable"/> for this tier.</summary>
    public TierUnavailableBehavior? WhenUnavailable { get; set; }
}

/// <summary>One (provider, model) pair serving a tier, with its prices.</summary>
public sealed class DeploymentOptions
{
    /// <summary>The key of the provider's keyed <c>IChatClient</c> registration (for example <c>openai</c>).</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>The model id sent as <c>ChatOptions.ModelId</c> (for example <c>gpt-4o-mini</c>).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Price of input tokens in USD per million tokens; 0 when unknown.</summary>
    public decimal InputUsdPerMillionTokens { get; set; }

    /// <summary>
    /// Price of cached input tokens (prompt caching: <c>UsageDetails.CachedInputTokenCount</c>, which are part of the
    /// input tokens) in USD per million tokens; <see langword="null"/> (the default) charges them at
    /// <see cref="InputUsdPerMillionTokens"/>.
    /// </summary>
    public decimal? CachedInputUsdPerMillionTokens { get; set; }

    /// <summary>Price of output tokens in USD per million tokens; 0 when unknown.</summary>
    public decimal OutputUsdPerMillionTokens { get; set; }

    /// <summary>
    /// Whether this deployment's answers carry a confidence signal (the confidence gate's input): its provider's client
    /// stack must then contain an <see cref="IConfidenceReportingChatClient"/> — for the OpenAI SDK through
    /// <c>AsIChatClient()</c>, the middleware <c>UseOpenAILogProbabilities()</c> (package <c>RoutedPrompts.OpenAI</c>),
    /// which asks for token log-probabilities and writes them into the response's
    /// <see cref="RoutedPromptsResponseProperties.LogProb"/>. A call to a deployment set so whose client has none fails
    /// with an <see cref="InvalidOperationException"/> naming the deployment and the fix, so a stack without the
    /// middleware never passes for one with it. Off by default.
    /// </summary>
    public bool LogProbabilities { get; set; }

    /// <summary>Overrides the tier's and the root's resilience settings for this deployment, value by value.</summary>
    public ResilienceOptions? Resilience { get; set; }
}

/// <summary>Configuration overrides for one routed task.</summary>
public sealed class TaskOptions
{
    /// <summary>
    /// The minimum confidence (0..1) an answer needs; overrides the task's <c>ConfidenceThreshold</c>. An answer
    /// without a confidence signal fails it (<see cref="AttemptOutcome.MissingConfidence"/>).
    /// </summary>
    public double? ConfidenceThreshold { get; set; }

    /// <summary>The highest tier the task may reach. It can only lower the task's own <c>MaxTier</c>, never raise it.</summary>
    public Tier? MaxTier { get; set; }

    /// <summary>The tier the task starts at. It can only raise the task's own tier, never lower it.</summary>
    public Tier? Tier { get; set; }

    /// <summary>Sent as <c>ChatOptions.Temperature</c> with every request of the task (0..2); the provider's default when unset.</summary>
    public float? Temperature { get; set; }

    /// <summary>Sent as <c>ChatOptions.MaxOutputTokens</c> (at least 1); the provider's default when unset.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Sent as <c>ChatOptions.TopP</c> (0..1); the provider's default when unset.</summary>
    public float? TopP { get; set; }

    /// <summary>Sent as <c>ChatOptions.Seed</c>; the provider's default when unset.</summary>
    public long? Seed { get; set; }
}
