using System.Text;

namespace RoutedPrompts;

/// <summary>
/// Thrown when no tier the task may reach produced an answer that passed its gates. Carries every attempt and why
/// each one failed.
/// </summary>
public sealed class RoutingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="taskName">The task that could not be answered.</param>
    /// <param name="attempts">Every attempt, in order.</param>
    /// <param name="innerException">
    /// The last provider error; the router passes it only when <see cref="RoutedPromptsOptions.ExposeProviderExceptions"/>
    /// is on (its message may hold a key or the prompt).
    /// </param>
    public RoutingException(string taskName, IReadOnlyList<RoutingAttempt> attempts, Exception? innerException = null)
        : base(Describe(taskName, attempts), innerException)
    {
        TaskName = taskName;
        Attempts = attempts;
    }

    /// <summary>The task that could not be answered.</summary>
    public string TaskName { get; }

    /// <summary>Every attempt, in order, with why it failed.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts { get; }

    /// <summary>Where the request started and why (rules, classifier), or <see langword="null"/> when the router did not record it.</summary>
    public RouteDecision? Route { get; init; }

    private static string Describe(string taskName, IReadOnlyList<RoutingAttempt> attempts)
    {
        var text = new StringBuilder();
        text.Append("Routed task '").Append(taskName).Append("' got no acceptable answer after ")
            .Append(attempts.Count).Append(" attempt(s)");
        if (attempts.Count == 0)
        {
            return text.Append(": no tier it may reach has a deployment configured.").ToString();
        }

        text.Append(':');
        for (var i = 0; i < attempts.Count; i++)
        {
            var a = attempts[i];
            text.AppendLine().Append("  ").Append(i + 1).Append(". ").Append(a.Tier).Append(' ')
                .Append(a.Deployment).Append(": ").Append(a.Outcome);
            if (a.Reason is not null)
            {
                text.Append(" (").Append(a.Reason).Append(')');
            }
        }

        return text.ToString();
    }
}
