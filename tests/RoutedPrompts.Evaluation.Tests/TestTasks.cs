using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>Hand-built text task descriptors, as the generator would emit them (hashes from the shared definitions).</summary>
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
        Type[]? parameterTypes = null,
        ResultKind resultKind = ResultKind.Text) => new()
        {
            Name = name,
            DeclaringType = name.Split('.')[0],
            MethodName = name.Split('.')[^1] + "Async",
            Tier = Tier.Small,
            Instructions = instructions,
            Template = template,
            Parameters = parameters ?? ["ticket"],
            ParameterTypes = parameterTypes ?? [],
            ResultKind = resultKind,
            SchemaJson = schema,
            EvalSet = evalSet,
            PromptHash = RoutedTaskHashing.PromptHash(instructions, template),
            TierConfidenceThresholds = thresholds,
        };
}
