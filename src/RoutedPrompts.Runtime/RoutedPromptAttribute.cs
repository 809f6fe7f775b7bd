namespace RoutedPrompts;

/// <summary>
/// Marks a <c>partial</c> method whose body the RoutedPrompts source generator emits: the method renders its prompt
/// template from its parameters, sends it to the cheapest tier first, checks the answer with the task's gates and
/// escalates to a higher tier only when a gate fails.
/// </summary>
/// <remarks>
/// The method must be <c>partial</c>, return <see cref="Task{TResult}"/>, <see cref="ValueTask{TResult}"/>,
/// <c>Task&lt;Routed&lt;T&gt;&gt;</c> or <c>ValueTask&lt;Routed&lt;T&gt;&gt;</c>, and its containing type must reach a
/// <see cref="PromptRouter"/> through a field, property or primary-constructor parameter (or take one as a parameter).
/// Template placeholders <c>{name}</c> bind to the method's parameters at compile time; <c>{{</c> and <c>}}</c> escape
/// literal braces.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RoutedPromptAttribute : Attribute
{
    /// <summary>Creates the attribute for a task that starts at <paramref name="tier"/>.</summary>
    /// <param name="tier">The cheapest tier the task is sent to.</param>
    public RoutedPromptAttribute(Tier tier) => Tier = tier;

    /// <summary>The tier a request is sent to first.</summary>
    public Tier Tier { get; }

    /// <summary>The highest tier the cascade may escalate to. Defaults to <see cref="RoutedPrompts.Tier.Large"/>.</summary>
    public Tier MaxTier { get; set; } = Tier.Large;

    /// <summary>
    /// The task's name in configuration, telemetry and the lock file. Defaults to
    /// <c>ContainingType.Method</c> without an <c>Async</c> suffix.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>System instructions sent before the rendered prompt.</summary>
    public string? Instructions { get; set; }

    /// <summary>An inline prompt template. Exactly one of <see cref="Prompt"/> and <see cref="PromptFile"/> is required.</summary>
    public string? Prompt { get; set; }

    /// <summary>Path of a prompt template file among the project's AdditionalFiles (for example <c>prompts/triage.txt</c>).</summary>
    public string? PromptFile { get; set; }

    /// <summary>
    /// Path of a JSON Schema file among the AdditionalFiles (for example <c>schemas/invoice.json</c>) that constrains
    /// the result. When omitted, the schema is derived at compile time from the result type.
    /// </summary>
    public string? Schema { get; set; }

    /// <summary>Path of the task's labelled eval set (JSONL) among the AdditionalFiles.</summary>
    public string? EvalSet { get; set; }

    /// <summary>
    /// The minimum answer confidence (0..1, from the provider's log-probabilities) a tier's answer needs to be accepted;
    /// an answer without a confidence signal fails it (<see cref="AttemptOutcome.MissingConfidence"/>). Not set (<see cref="double.NaN"/>) by default: the confidence gate then only applies when configuration sets a
    /// threshold for the task.
    /// </summary>
    public double ConfidenceThreshold { get; set; } = double.NaN;

    /// <summary>
    /// Name of a <c>static bool Method(T result)</c> on the containing type that accepts or rejects an answer.
    /// A rejected answer escalates to the next tier.
    /// </summary>
    public string? Validator { get; set; }

    /// <summary>
    /// A type implementing <see cref="IResultValidator{T}"/> for the result type; it is resolved from the service
    /// provider (or created with its services) once per router.
    /// </summary>
    public Type? ValidatorType { get; set; }
}
