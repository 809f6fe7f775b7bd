using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NJsonSchema;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>
/// What the router derives once per task descriptor and caches in its <c>RuntimeCache</c> slot: the response format
/// sent to providers and the parsed JSON Schema used by the schema gate.
/// </summary>
internal sealed class TaskRuntime
{
    private TaskRuntime(ChatResponseFormat? responseFormat, Task<JsonSchema>? schema)
    {
        ResponseFormat = responseFormat;
        Schema = schema;
    }

    /// <summary>The response format for JSON tasks; <see langword="null"/> for text tasks.</summary>
    public ChatResponseFormat? ResponseFormat { get; }

    /// <summary>The parsed schema, or <see langword="null"/> when the task has none.</summary>
    public Task<JsonSchema>? Schema { get; }

    /// <summary>The cached runtime state of <paramref name="task"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The descriptor is inconsistent (a bug in the descriptor, not in an answer).</exception>
    public static TaskRuntime For<T>(RoutedTask<T> task)
    {
        if (Volatile.Read(ref task.RuntimeCache) is TaskRuntime cached)
        {
            return cached;
        }

        var created = Create(task);
        return Interlocked.CompareExchange(ref task.RuntimeCache, created, null) as TaskRuntime ?? created;
    }

    private static TaskRuntime Create<T>(RoutedTask<T> task)
    {
        if (task.ResultKind == ResultKind.Text)
        {
            return new TaskRuntime(null, null);
        }

        if (task.JsonTypeInfo is null)
        {
            throw new InvalidOperationException(
                $"Routed task '{task.Name}' returns JSON but its descriptor has no JsonTypeInfo to read {typeof(T)} with.");
        }

        if (string.IsNullOrWhiteSpace(task.SchemaJson))
        {
            return new TaskRuntime(ChatResponseFormat.Json, null);
        }

        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(task.SchemaJson, new JsonDocumentOptions { MaxDepth = RoutedTaskLimits.MaxSchemaDepth });
            element = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Routed task '{task.Name}' has a JSON Schema that is not valid JSON: {ex.Message}", ex);
        }

        var format = ChatResponseFormat.ForJsonSchema(element, SchemaName(task.Name));
        return new TaskRuntime(format, ParseSchemaAsync(task.Name, task.SchemaJson));
    }

    /// <summary>The schema the JSON gate validates answers with (<see cref="AnswerGates.CheckSchema"/>), read from the task's schema text.</summary>
    internal static async Task<JsonSchema> ParseSchemaAsync(string taskName, string schemaJson)
    {
        try
        {
            return await JsonSchema.FromJsonAsync(SchemaDialect.ForNJsonSchema(schemaJson)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Routed task '{taskName}' has a JSON Schema NJsonSchema cannot read: {ex.Message}", ex);
        }
    }

    /// <summary>A schema name providers accept (letters, digits, <c>_</c> and <c>-</c>, at most 64 characters).</summary>
    internal static string SchemaName(string taskName)
    {
        var name = new StringBuilder(Math.Min(taskName.Length, 64));
        foreach (var c in taskName)
        {
            if (name.Length == 64)
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return name.Length == 0 ? "result" : name.ToString();
    }
}
