using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// Sends a routed task's messages to the cheapest tier first, gates each answer, and escalates up the tiers only when
/// a gate fails.
/// </summary>
public sealed class PromptRouter
{
    /// <summary>Routes one request of <paramref name="task"/>.</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The generated task descriptor.</param>
    /// <param name="messages">The rendered messages.</param>
    /// <param name="cancellationToken">Cancels the request, including any escalation.</param>
    /// <returns>The accepted answer with its provenance.</returns>
    /// <exception cref="RoutingException">No tier the task may reach produced an acceptable answer.</exception>
    public ValueTask<Routed<T>> RouteAsync<T>(RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("Scaffold: implemented by the runtime work item.");
}
