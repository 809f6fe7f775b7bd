using Microsoft.Extensions.AI;
using RoutedPrompts.Replay;

namespace RoutedPrompts.Tests;

/// <summary>
/// Issue 10, defect 5: recordings written by Python's <c>json</c> module carry bare <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c> (invalid JSON). The replay reader accepts them in the numeric fields, with a defined meaning per
/// field, and never touches text inside strings.
/// </summary>
public sealed class ReplayNamedLiteralsTests
{
    private static ReplayRecording Load(string responses, string content = "q") => ReplayRecording.Load(
        new StringReader($$"""{"id": "a", "messages": [{"role": "user", "content": "{{content}}"}], "responses": {"m": {{responses}}}, "score": NaN}"""), "py.jsonl");

    private static async Task<ChatResponse> Answer(ReplayRecording recording, string content = "q") =>
        await new ReplayChatClient(recording).GetResponseAsync([new ChatMessage(ChatRole.User, content)], new ChatOptions { ModelId = "m" });

    [Fact]
    public async Task A_log_probability_of_minus_infinity_is_probability_zero()
    {
        var recording = Load("""{"text": "A", "logprob": -Infinity, "cost_usd": 0.001, "latency_ms": NaN}""");

        var answer = recording.Queries[0].Answers["m"];
        var response = await Answer(recording);

        Assert.Equal(double.NegativeInfinity, answer.LogProb);
        Assert.Null(answer.LatencyMs); // NaN latency: not recorded
        Assert.Equal(0d, RoutedPromptsResponseProperties.ReadConfidence(response));
    }

    [Theory]
    [InlineData("logprob")]
    [InlineData("confidence")]
    public async Task NaN_log_probability_or_confidence_is_no_confidence(string field)
    {
        var recording = Load($$"""{"text": "A", "{{field}}": NaN}""");

        var response = await Answer(recording);

        Assert.Null(RoutedPromptsResponseProperties.ReadConfidence(response));
        Assert.False(recording.ConfidenceIsLogProbability);
    }

    [Fact]
    public async Task A_confidence_of_minus_infinity_is_a_log_probability_of_zero()
    {
        var recording = Load("""{"text": "A", "confidence": -Infinity}""");

        Assert.True(recording.ConfidenceIsLogProbability);
        Assert.Equal(0d, RoutedPromptsResponseProperties.ReadConfidence(await Answer(recording)));
    }

    [Theory]
    [InlineData("""{"text": "A", "cost_usd": NaN}""", "responses.m.cost_usd must be a cost in USD from 0 to 1000000, found NaN")]
    [InlineData("""{"text": "A", "cost_usd": Infinity}""", "responses.m.cost_usd must be a cost in USD from 0 to 1000000, found Infinity")]
    [InlineData("""{"text": "A", "input_tokens": NaN}""", "responses.m.input_tokens must be a whole number from 0 to 1000000000, found NaN")]
    [InlineData("""{"text": "A", "output_tokens": -Infinity}""", "responses.m.output_tokens must be a whole number from 0 to 1000000000, found -Infinity")]
    [InlineData("""{"text": "A", "logprob": Infinity}""", "responses.m.logprob is Infinity")]
    [InlineData("""{"text": "A", "latency_ms": Infinity}""", "responses.m.latency_ms must be a finite number of milliseconds")]
    [InlineData("""{"text": "A", "cost_usd": "0.5"}""", "responses.m.cost_usd must be a number, found String")]
    public void Impossible_costs_tokens_and_signals_are_errors_naming_file_and_line(string responses, string problem)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Load(responses));

        Assert.StartsWith("py.jsonl:1: ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public async Task Literals_inside_strings_are_text()
    {
        const string Content = "AgNO3 + NaCl -> NaNO3 (Infinity \\\" NaN)";
        var recording = Load("""{"text": "NaN, -Infinity", "logprob": -0.5}""", Content);

        var response = await Answer(recording, "AgNO3 + NaCl -> NaNO3 (Infinity \" NaN)");

        Assert.Equal("NaN, -Infinity", response.Text);
        Assert.Equal(-0.5, recording.Queries[0].Answers["m"].LogProb);
    }
}
