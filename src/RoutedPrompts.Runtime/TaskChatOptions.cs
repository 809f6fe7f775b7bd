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
}
