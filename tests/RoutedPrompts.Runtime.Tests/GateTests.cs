using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Tests;

public sealed class GateTests
{
    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", true)]
    [InlineData("Sure. I cannot help with that part, but here is the rest.", true)]
    [InlineData("As an AI language model, I have no opinion.", true)]
    [InlineData("B", false)]
    [InlineData("""{"category":"bug","priority":2}""", false)]
    [InlineData("The customer wrote: 'I can't assist my team because the app crashes.' Category: bug.", false)]
    public void Refusal_phrases_count_only_near_the_start_of_a_short_answer(string text, bool refusal)
    {
        Assert.Equal(refusal, AnswerGates.FindRefusal(text) is not null);
    }

    [Fact]
    public void A_long_answer_is_not_a_refusal()
    {
        Assert.Null(AnswerGates.FindRefusal("I'm sorry, but I can't be brief. " + new string('x', 1000)));
    }

    [Theory]
    [InlineData("```json\n{\"a\":1}\n```", "{\"a\":1}")]
    [InlineData("```\n[1]\n```", "[1]")]
    [InlineData("  {\"a\":1}  ", "{\"a\":1}")]
    [InlineData("```python\nprint(1)\n```", "```python\nprint(1)\n```")]
    public void A_single_json_fence_is_removed(string text, string expected)
    {
        Assert.Equal(expected, AnswerGates.StripFence(text));
    }

    public static TheoryData<object?, double?> ConfidenceValues => new()
    {
        { 0.25, 0.25 },
        { 0.5f, 0.5 },
        { 0.75m, 0.75 },
        { "0.125", 0.125 },
        { JsonDocument.Parse("0.375").RootElement, 0.375 },
        { JsonDocument.Parse("\"0.625\"").RootElement, 0.625 },
        { "not a number", null },
        { true, null },
        { null, null },
    };

    [Theory]
    [MemberData(nameof(ConfidenceValues))]
    public void Confidence_accepts_numbers_json_elements_and_strings(object? value, double? expected)
    {
        var properties = new AdditionalPropertiesDictionary { [RoutedPromptsResponseProperties.Confidence] = value };

        Assert.Equal(expected, ResponseConfidence.Read(properties));
    }

    [Fact]
    public void Log_probability_takes_precedence_over_confidence()
    {
        var properties = new AdditionalPropertiesDictionary
        {
            [RoutedPromptsResponseProperties.Confidence] = 0.99,
            [RoutedPromptsResponseProperties.LogProb] = JsonDocument.Parse("-2").RootElement,
        };

        Assert.Equal(Math.Exp(-2), ResponseConfidence.Read(properties)!.Value, 12);
        Assert.Null(ResponseConfidence.Read(null));
        Assert.Null(ResponseConfidence.Read([]));
    }

    [Fact]
    public void Schema_names_are_safe_for_providers()
    {
        Assert.Equal("SupportPrompts_Triage", TaskRuntime.SchemaName("SupportPrompts.Triage"));
        Assert.Equal(64, TaskRuntime.SchemaName(new string('a', 100)).Length);
    }
}
