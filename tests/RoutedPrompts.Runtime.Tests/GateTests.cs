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

    [Theory]
    [InlineData("routedprompts.logprob", 0.4)]                      // a probability sent as a log-probability
    [InlineData("routedprompts.logprob", double.PositiveInfinity)]
    [InlineData("routedprompts.confidence", 1.5)]
    [InlineData("routedprompts.confidence", 85.0)]                  // a 0..100 scale
    [InlineData("routedprompts.confidence", -0.1)]
    public void A_value_no_correct_reporter_writes_is_no_signal_not_certainty(string key, double value)
    {
        // Old: clamped to 1 (or 0), so a threshold passed an answer whose reporter was broken as fully confident.
        Assert.Null(ResponseConfidence.Read(new AdditionalPropertiesDictionary { [key] = value }));
        Assert.Equal(AttemptOutcome.MissingConfidence, AnswerGates.CheckConfidence(ResponseConfidence.Read(new AdditionalPropertiesDictionary { [key] = value }), 0.5, true).Outcome);
    }

    [Fact]
    public void A_log_probability_of_zero_is_certainty()
    {
        Assert.Equal(1d, ResponseConfidence.Read(new AdditionalPropertiesDictionary { [RoutedPromptsResponseProperties.LogProb] = 0d }));
        Assert.Equal(1d, ResponseConfidence.Read(new AdditionalPropertiesDictionary { [RoutedPromptsResponseProperties.LogProb] = 1e-12 }));
        Assert.Equal(0d, ResponseConfidence.Read(new AdditionalPropertiesDictionary { [RoutedPromptsResponseProperties.LogProb] = double.NegativeInfinity }));
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

    [Theory]
    [InlineData("""{"type":"integer"}""", "1180591620717411303424", "IntegerExpected")]
    [InlineData("""{"type":"integer","minimum":1,"maximum":5}""", "1180591620717411303424", "NumberTooBig")]
    [InlineData("""{"type":"number","maximum":100}""", "-1180591620717411303424", null)]
    [InlineData("""{"type":"number"}""", "100000000000000000000000000", null)]
    public async Task An_integer_beyond_long_is_checked_by_magnitude_not_thrown(string schemaJson, string json, string? violation)
    {
        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(schemaJson);

        var verdict = AnswerGates.CheckSchema(schema, json); // NJsonSchema threw InvalidCastException on these

        Assert.Equal(violation is null ? AttemptOutcome.Accepted : AttemptOutcome.SchemaViolation, verdict.Outcome);
        Assert.Contains(violation ?? string.Empty, verdict.Reason ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void A_raw_unpaired_surrogate_is_invalid_json_not_an_exception()
    {
        var verdict = AnswerGates.CheckJson("{\"note\":\"\ud800\"}", out var document);

        Assert.Null(document);
        Assert.Equal(AttemptOutcome.InvalidJson, verdict.Outcome);
        Assert.Contains("surrogate", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_property_name_is_invalid_json()
    {
        Assert.Equal(AttemptOutcome.InvalidJson, AnswerGates.CheckJson("""{"amount":50,"amount":5000}""", out _).Outcome);
        var verdict = AnswerGates.CheckJson("""{"amount":50,"Amount":5000}""", out var document);
        using (document)
        {
            Assert.True(verdict.Passed); // names differ by case: distinct properties; the reader matches the exact name
        }
    }

    [Theory]
    [InlineData("""{"a":1e400}""", "#/a")]
    [InlineData("""{"a":[1,{"b":-1e400}]}""", "#/a/1/b")]
    [InlineData("1e309", "#")]
    public void A_number_beyond_a_double_is_a_schema_violation(string json, string path)
    {
        using var document = JsonDocument.Parse(json);

        var verdict = AnswerGates.CheckNumbers(document.RootElement);

        Assert.Equal(AttemptOutcome.SchemaViolation, verdict.Outcome);
        Assert.Contains("NumberOutOfRange at " + path + " ", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Finite_numbers_pass_the_number_check()
    {
        using var document = JsonDocument.Parse("""{"a":[1.7976931348623157e308,-5e-324,0,1e38],"b":{"c":12}}""");

        Assert.True(AnswerGates.CheckNumbers(document.RootElement).Passed);
    }
}
