using System.Reflection;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Tests;

/// <summary>The eval tool's single-tier copy of a descriptor (<c>RoutedTask&lt;T&gt;.ForEvaluation</c>) keeps every member it does not change.</summary>
public sealed class DescriptorCopyTests
{
    private static readonly string[] Changed =
        [nameof(RoutedTask.Tier), nameof(RoutedTask.MaxTier), nameof(RoutedTask.DeclaredTier), nameof(RoutedTask.ConfidenceThreshold), nameof(RoutedTask.TierConfidenceThresholds)];

    [Fact]
    public void The_evaluation_copy_keeps_every_member_but_the_tiers_and_thresholds()
    {
        var original = new RoutedTask<Ticket>
        {
            Name = "Support.Triage", DeclaringType = "Tests.SupportPrompts", MethodName = "TriageAsync", Tier = Tier.Medium, DeclaredTier = Tier.Small,
            MaxTier = Tier.Large, Instructions = "Classify.", Template = "Ticket: {text}", PromptFile = "prompts/triage.txt", Parameters = ["text"],
            ParameterTypes = [typeof(string)], CreateMessages = arguments => [new ChatMessage(ChatRole.User, (string?)arguments[0])],
            SchemaJson = Tasks.TicketSchema, SchemaFile = "schemas/ticket.json", EvalSet = "evals/triage.jsonl", ConfidenceThreshold = 0.8,
            TierConfidenceThresholds = new Dictionary<Tier, double> { [Tier.Medium] = 0.9 }, JsonTypeInfo = TestJsonContext.Default.Ticket,
            Validator = static t => t.Priority > 0, ValidatorType = typeof(object),
        };

        var copy = original.ForEvaluation(Tier.Large);

        Assert.NotSame(original, copy);
        Assert.Equal((Tier.Large, Tier.Large, (Tier?)null, (double?)null), (copy.Tier, copy.MaxTier, copy.DeclaredTier, copy.ConfidenceThreshold));
        Assert.Null(copy.TierConfidenceThresholds);
        var kept = typeof(RoutedTask<Ticket>).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => !Changed.Contains(p.Name)).ToArray();
        Assert.True(kept.Length >= 17, string.Join(", ", kept.Select(p => p.Name)));
        Assert.All(kept, p => Assert.Equal(p.GetValue(original), p.GetValue(copy)));
        Assert.All(kept.Where(p => !p.PropertyType.IsValueType && p.Name != nameof(RoutedTask.ResultType)), p => Assert.NotNull(p.GetValue(copy)));
    }
}
