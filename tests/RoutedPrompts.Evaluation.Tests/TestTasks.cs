using Microsoft.Extensions.AI;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>Hand-built text task descriptors, as the generator would emit them.</summary>
internal static class TestTasks
{
    public static RoutedTask<string> Text(
        string name = "Support.Reply",
        string? instructions = "Be kind.",
        string template = "Reply to {ticket}",
        string[]? parameters = null,
        string? schema = null,
        string? evalSet = "evals/reply.jsonl",
        IReadOnlyDictionary<Tier, double>? thresholds = null,
        Type[]? parameterTypes = null)
    {
        string[] names = parameters ?? ["ticket"];
        return new()
        {
            Name = name,
            DeclaringType = name.Split('.')[0],
            MethodName = name.Split('.')[^1] + "Async",
            Tier = Tier.Small,
            Instructions = instructions,
            Template = template,
            Parameters = names,
            ParameterTypes = parameterTypes ?? names.Select(_ => typeof(string)).ToArray(),
            CreateMessages = arguments => Messages(instructions, template, names, arguments),
            SchemaJson = schema,
            EvalSet = evalSet,
            TierConfidenceThresholds = thresholds,
        };
    }

    /// <summary>
    /// The messages a generated builder would make for these simple templates (each placeholder a parameter, no escaped
    /// braces): the instructions as the system message, the template with each placeholder's argument as the user message.
    /// </summary>
    private static ChatMessage[] Messages(string? instructions, string template, string[] parameters, IReadOnlyList<object?> arguments)
    {
        var prompt = parameters.Select((p, i) => (p, i)).Aggregate(template, (text, p) => text.Replace("{" + p.p + "}", PromptText.Format(arguments[p.i]), StringComparison.Ordinal));
        var user = new ChatMessage(ChatRole.User, prompt);
        return instructions is null ? [user] : [new ChatMessage(ChatRole.System, instructions), user];
    }
}
