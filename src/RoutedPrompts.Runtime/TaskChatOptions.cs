using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>The chat options a task's configuration sets (<c>Tasks:&lt;name&gt;:Temperature</c>, ...), applied to every request of it.</summary>
internal static class TaskChatOptions
{
    /// <summary>Copies the configured values onto <paramref name="options"/>; an unset value leaves the provider's default.</summary>
    public static void Apply(TaskOptions? task, ChatOptions options)
    {
        if (task is null)
        {
            return;
        }

        options.Temperature = task.Temperature ?? options.Temperature;
        options.MaxOutputTokens = task.MaxOutputTokens ?? options.MaxOutputTokens;
        options.TopP = task.TopP ?? options.TopP;
        options.Seed = task.Seed ?? options.Seed;
    }

    /// <summary>
    /// The chat options <paramref name="task"/> sets, as the request options they become (<see cref="Apply"/> on empty
    /// options), or <see langword="null"/> when it sets none: what the eval tool hashes (the values as sent).
    /// </summary>
    public static ChatOptions? Of(TaskOptions? task)
    {
        var options = new ChatOptions();
        Apply(task, options);
        return options.Temperature is null && options.MaxOutputTokens is null && options.TopP is null && options.Seed is null ? null : options;
    }
}
