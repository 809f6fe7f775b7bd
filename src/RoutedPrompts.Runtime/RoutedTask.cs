using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>Whether a task's answer is a JSON document or free text.</summary>
public enum ResultKind
{
    /// <summary>The answer is JSON, validated against the task's schema and deserialized into the result type.</summary>
    Json = 0,

    /// <summary>The answer is free text (the result type is <see cref="string"/>); no schema applies.</summary>
    Text = 1,
}

/// <summary>
/// Describes one routed task: what the source generator knew about it at compile time. Instances are created by
/// generated code (one static instance per <c>[RoutedPrompt]</c> method) and enumerated through
/// <see cref="RoutedTaskCatalog"/>.
/// </summary>
public abstract class RoutedTask
{
    private protected RoutedTask()
    {
    }

    /// <summary>The task's name in configuration, telemetry and the lock file (for example <c>SupportPrompts.Triage</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Fully qualified name of the type that declares the task's method.</summary>
    public required string DeclaringType { get; init; }

    /// <summary>Name of the task's method.</summary>
    public required string MethodName { get; init; }

    /// <summary>The tier the task starts at.</summary>
    public required Tier Tier { get; init; }

    /// <summary>
    /// The tier the method's attribute declares, when a current lock entry moved the start (<see cref="Tier"/>) above
    /// it; <see langword="null"/> when the task starts where the code says. The eval tool measures from here, so a
    /// tier the last calibration skipped can earn its traffic back.
    /// </summary>
    public Tier? DeclaredTier { get; init; }

    /// <summary>The highest tier the cascade may reach.</summary>
    public Tier MaxTier { get; init; } = Tier.Large;

    /// <summary>System instructions, or <see langword="null"/>.</summary>
    public string? Instructions { get; init; }

    /// <summary>The prompt template as written (inline or read from <see cref="PromptFile"/> at compile time).</summary>
    public required string Template { get; init; }

    /// <summary>The template file the prompt came from, or <see langword="null"/> for an inline template.</summary>
    public string? PromptFile { get; init; }

    /// <summary>Names of the method parameters the template binds, in declaration order.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>
    /// The declared types of <see cref="Parameters"/>, in the same order (generated). The eval tool reads each eval-set
    /// input as its parameter's type and passes it to <see cref="CreateMessages"/>.
    /// </summary>
    public IReadOnlyList<Type> ParameterTypes { get; init; } = [];

    /// <summary>
    /// Builds the messages the task's method sends (the instructions as the system message, the rendered template as
    /// the user message) from its arguments: one per <see cref="Parameters"/>, in order, each of its
    /// <see cref="ParameterTypes"/> type. Generated: the method's body and the eval tool both call the one generated
    /// builder, so an eval sends what production sends. <see langword="null"/> for a descriptor written by hand, which
    /// the eval tool refuses (it has no method whose messages an eval could stand for).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Func<IReadOnlyList<object?>, IReadOnlyList<ChatMessage>>? CreateMessages { get; init; }

    /// <summary>Whether the answer is free text (the result type is <see cref="string"/>) or JSON (any other result type).</summary>
    public ResultKind ResultKind => ResultType == typeof(string) ? ResultKind.Text : ResultKind.Json;

    /// <summary>The JSON Schema the answer must satisfy (from <see cref="SchemaFile"/> or derived from the result type); <see langword="null"/> for text.</summary>
    public string? SchemaJson { get; init; }

    /// <summary>The schema file named on the attribute, or <see langword="null"/> when the schema was derived from the result type.</summary>
    public string? SchemaFile { get; init; }

    /// <summary>The eval set named on the attribute, or <see langword="null"/>.</summary>
    public string? EvalSet { get; init; }

    /// <summary>The confidence threshold set on the attribute, or <see langword="null"/>; configuration may override it.</summary>
    public double? ConfidenceThreshold { get; init; }

    /// <summary>
    /// Per-tier confidence thresholds (for example calibrated by <c>dotnet routed-prompts calibrate</c>), or
    /// <see langword="null"/>. A tier listed here uses its own threshold instead of <see cref="ConfidenceThreshold"/>;
    /// a configured <c>Tasks:&lt;name&gt;:ConfidenceThreshold</c> still overrides both.
    /// </summary>
    public IReadOnlyDictionary<Tier, double>? TierConfidenceThresholds { get; init; }

    /// <summary>
    /// The task's start-tier classifier (trained by <c>dotnet routed-prompts calibrate</c> and baked from a current lock
    /// entry), or <see langword="null"/>. When set, a request that starts at the planned start tier below the maximum
    /// tier starts one tier higher if the classifier's probability that the start tier's answer is accepted and correct
    /// is below its <see cref="PromptClassifier.Threshold"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public PromptClassifier? Classifier { get; init; }

    /// <summary>The task's result type (<c>T</c> of <see cref="RoutedTask{T}"/>).</summary>
    public abstract Type ResultType { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A routed task whose answer is of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class RoutedTask<T> : RoutedTask
{
    /// <summary>Source-generated serialization metadata for <typeparamref name="T"/>; <see langword="null"/> for text tasks.</summary>
    public JsonTypeInfo<T>? JsonTypeInfo { get; init; }

    /// <summary>A static validator named on the attribute (<c>Validator = nameof(...)</c>), or <see langword="null"/>.</summary>
    public Func<T, bool>? Validator { get; init; }

    /// <summary>
    /// An <see cref="IResultValidator{T}"/> implementation named on the attribute, or <see langword="null"/>. The router
    /// resolves it from the service provider, or creates it with its constructor's services, once per router.
    /// </summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
    public Type? ValidatorType { get; init; }

    /// <inheritdoc />
    public override Type ResultType => typeof(T);

    /// <summary>Per-task state the router caches (for example the parsed schema).</summary>
    internal object? RuntimeCache;
}
