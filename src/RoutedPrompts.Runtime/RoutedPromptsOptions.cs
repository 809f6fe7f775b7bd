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
    /// Routing rules for every task (a rule may name its <see cref="RoutingRuleOptions.Task"/>), tried after the task's
    /// own <see cref="TaskOptions.Rules"/>, in order; the first whose conditions all hold decides the request's range.
    /// </summary>
    public List<RoutingRuleOptions> Rules { get; set; } = [];

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

    /// <summary>
    /// The task's routing rules, tried in order before the global <see cref="RoutedPromptsOptions.Rules"/>; the first
    /// whose conditions all hold decides the request's range. <see cref="RoutingRuleOptions.Task"/> is not set here.
    /// </summary>
    public List<RoutingRuleOptions> Rules { get; set; } = [];
}

/// <summary>
/// A routing rule: when every condition of <see cref="When"/> holds for a request (a rule without conditions matches
/// every request), the request starts at <see cref="StartTier"/> and/or may reach at most <see cref="MaxTier"/>. The
/// task's code tier stays the floor and its <c>MaxTier</c> the ceiling.
/// </summary>
public sealed class RoutingRuleOptions
{
    /// <summary>The rule's name, reported in <see cref="RouteDecision.Rule"/>, telemetry and logs; its configuration path when unset.</summary>
    public string? Name { get; set; }

    /// <summary>On a global rule only: the task the rule applies to (for example <c>SupportPrompts.Triage</c>); every task when unset.</summary>
    public string? Task { get; set; }

    /// <summary>The conditions, all of which must hold; none: the rule matches every request.</summary>
    public RoutingRuleConditions? When { get; set; }

    /// <summary>Raises the request's start tier (skip the cheap attempt). Never below the task's planned start.</summary>
    public Tier? StartTier { get; set; }

    /// <summary>Lowers the highest tier the request may reach (cap spend). Never below the task's code tier.</summary>
    public Tier? MaxTier { get; set; }
}

/// <summary>What a request must be for a <see cref="RoutingRuleOptions"/> to match; every condition set must hold.</summary>
public sealed class RoutingRuleConditions
{
    /// <summary>The request's <see cref="RouteContext.Feature"/>, compared ignoring case.</summary>
    public string? Feature { get; set; }

    /// <summary>The request's <see cref="RouteContext.UserTier"/>, compared ignoring case.</summary>
    public string? UserTier { get; set; }

    /// <summary>Tags that must all be in the request's <see cref="RouteContext.Tags"/> (compared ignoring case).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>
    /// The fewest input tokens (all messages), counted with the planned start tier's first deployment's tokenizer when an
    /// <see cref="IPromptTokenCounter"/> knows its model, else estimated (<see cref="RouteDecision.InputTokensEstimated"/>).
    /// </summary>
    public int? MinInputTokens { get; set; }

    /// <summary>The most input tokens (see <see cref="MinInputTokens"/>).</summary>
    public int? MaxInputTokens { get; set; }

    /// <summary>The shortest prompt, in characters of the request's user messages.</summary>
    public int? MinPromptLength { get; set; }

    /// <summary>The longest prompt, in characters of the request's user messages.</summary>
    public int? MaxPromptLength { get; set; }

    /// <summary>Whether the request's user messages must (<see langword="true"/>) or must not (<see langword="false"/>) contain code.</summary>
    public bool? HasCode { get; set; }

    /// <summary>The method parameter whose value (as the prompt renders it) <see cref="Pattern"/> must match.</summary>
    public string? Parameter { get; set; }

    /// <summary>
    /// A .NET regular expression (culture-invariant, at most 100 ms per match; a timeout is no match) the value of
    /// <see cref="Parameter"/> must match, for example <c>(?i)stack ?trace</c>.
    /// </summary>
    public string? Pattern { get; set; }
}
