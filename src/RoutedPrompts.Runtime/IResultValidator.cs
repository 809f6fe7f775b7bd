namespace RoutedPrompts;

/// <summary>
/// A custom gate: checks a parsed answer that already passed the built-in gates. A rejection escalates the request to
/// the next tier with the <see cref="AttemptOutcome.ValidatorRejected"/> outcome.
/// </summary>
/// <typeparam name="T">The task's result type.</typeparam>
public interface IResultValidator<in T>
{
    /// <summary>Validates an answer.</summary>
    /// <param name="result">The parsed answer.</param>
    /// <param name="context">Which task and tier produced it.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns><see cref="ResultValidation.Valid"/> or a rejection with its reason.</returns>
    ValueTask<ResultValidation> ValidateAsync(T result, ValidationContext context, CancellationToken cancellationToken);
}

/// <summary>What a validator is told about the answer it checks.</summary>
/// <param name="TaskName">The routed task's name.</param>
/// <param name="Tier">The tier that produced the answer.</param>
/// <param name="Deployment">The deployment that produced the answer.</param>
public sealed record ValidationContext(string TaskName, Tier Tier, DeploymentInfo Deployment);

/// <summary>The verdict of an <see cref="IResultValidator{T}"/>.</summary>
public readonly record struct ResultValidation
{
    private ResultValidation(bool isValid, string? reason)
    {
        IsValid = isValid;
        Reason = reason;
    }

    /// <summary>Whether the answer is accepted.</summary>
    public bool IsValid { get; }

    /// <summary>Why the answer was rejected; <see langword="null"/> when it was accepted.</summary>
    public string? Reason { get; }

    /// <summary>An accepting verdict.</summary>
    public static ResultValidation Valid { get; } = new(true, null);

    /// <summary>A rejecting verdict.</summary>
    /// <param name="reason">Why the answer is not acceptable (shown in attempts and exceptions, not in logs).</param>
    public static ResultValidation Invalid(string reason) =>
        new(false, string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("A rejection needs a reason.", nameof(reason)) : reason);
}
