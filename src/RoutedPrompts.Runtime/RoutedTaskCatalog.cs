using System.Collections.Concurrent;
using System.ComponentModel;

namespace RoutedPrompts;

/// <summary>
/// Every routed task of every loaded assembly. Generated code registers an assembly's tasks from a module initializer,
/// so tools (the eval CLI, options validation) can enumerate them without reflection over the application's types.
/// </summary>
public static class RoutedTaskCatalog
{
    private static readonly ConcurrentDictionary<string, RoutedTask> Registered = new(StringComparer.Ordinal);

    /// <summary>The registered tasks, ordered by name.</summary>
    public static IReadOnlyList<RoutedTask> Tasks => Registered.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Finds a task by name.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="task">The task, when found.</param>
    /// <returns>Whether the task is registered.</returns>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoutedTask? task) =>
        Registered.TryGetValue(name, out task);

    /// <summary>Registers tasks. Called by generated code; registering the same descriptor twice is harmless.</summary>
    /// <param name="tasks">The tasks of one assembly.</param>
    /// <exception cref="InvalidOperationException">Two different tasks share a name.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(IEnumerable<RoutedTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            var existing = Registered.GetOrAdd(task.Name, task);
            if (!ReferenceEquals(existing, task) &&
                (existing.DeclaringType != task.DeclaringType || existing.MethodName != task.MethodName))
            {
                throw new InvalidOperationException(
                    $"Two routed tasks are named '{task.Name}': {existing.DeclaringType}.{existing.MethodName} and " +
                    $"{task.DeclaringType}.{task.MethodName}. Give one of them a distinct Name in its [RoutedPrompt] attribute.");
            }
        }
    }
}
