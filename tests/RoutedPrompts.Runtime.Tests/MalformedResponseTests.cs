using System.Text;
using Microsoft.Extensions.AI;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// A response the router cannot use although the call succeeded (no response, impossible usage, a completion the SDK
/// cannot read) is a retried <see cref="ProviderFailureKind.MalformedResponse"/>, never a crash, an <c>Other</c>
/// failure or a negative or absurd cost.
/// </summary>
public sealed class MalformedResponseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string, Func<ChatResponse?>> ScriptedCases => new()
    {
        { "null response", () => null },
        { "negative input tokens", () => Reply.Text(Reply.GoodTicket, input: -5_000_000_000) },
        { "negative output tokens", () => Reply.Text(Reply.GoodTicket, output: -1) },
        { "long.MaxValue tokens", () => Reply.Text(Reply.GoodTicket, input: long.MaxValue, output: long.MaxValue) },
        { "recorded cost 1e300", () => WithRecordedCost(1e300) },
        { "recorded cost -1", () => WithRecordedCost(-1) },
        { "recorded cost Infinity", () => WithRecordedCost(double.PositiveInfinity) },
    };

    [Theory]
    [MemberData(nameof(ScriptedCases))]
    public async Task An_unusable_response_from_a_chat_client_is_malformed_and_falls_over(string name, Func<ChatResponse?> response)
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tiers["Small"] = Harness.Tier(Harness.SmallModel, 0, 0); // unpriced: a recorded cost would be used
        });
        h.OpenAi.Reply(Harness.SmallModel, _ => Task.FromResult(response()!));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, input: 10, output: 10));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        var failed = routed.Attempts[0];
        Assert.Equal((AttemptOutcome.ProviderError, ProviderFailureKind.MalformedResponse), (failed.Outcome, failed.Failure));
        Assert.StartsWith("malformed response: ", failed.Reason, StringComparison.Ordinal);
        Assert.Equal((0L, 0L, 0m), (failed.InputTokens, failed.OutputTokens, failed.CostUsd));
        Assert.Equal(new DeploymentInfo("azure", Harness.SmallModel), routed.Deployment);
        Assert.InRange(routed.CostUsd, 0m, 1m);
        Assert.True(name.Length > 0);
    }

    private static ChatResponse WithRecordedCost(double usd)
    {
        var response = Reply.Text(Reply.GoodTicket);
        response.AdditionalProperties = new() { [RoutedPromptsResponseProperties.RecordedCostUsd] = usd };
        return response;
    }

    private const string Head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"small-a\",";
    private const string Choice = "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]";
    private const string Usage = "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5,\"total_tokens\":10}";

    public static TheoryData<string, byte[]> MalformedCompletions()
    {
        var invalidUtf8 = Encoding.UTF8.GetBytes(Head + Choice.Replace("fine", "fi#e", StringComparison.Ordinal) + "," + Usage + "}");
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'#')] = 0xC3; // a lead byte followed by an ASCII letter
        return new TheoryData<string, byte[]>
        {
            { "empty choices", Encoding.UTF8.GetBytes(Head + "\"choices\":[]," + Usage + "}") },
            { "no message", Encoding.UTF8.GetBytes(Head + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]," + Usage + "}") },
            { "invalid UTF-8", invalidUtf8 },
            { "usage as a string", Encoding.UTF8.GetBytes(Head + Choice + ",\"usage\":\"lots\"}") },
            { "negative usage", Encoding.UTF8.GetBytes(Head + Choice + ",\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":5,\"total_tokens\":0}}") },
            { "an array", Encoding.UTF8.GetBytes("[]") },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedCompletions))]
    public async Task A_malformed_completion_over_http_is_a_retried_malformed_response(string name, byte[] body)
    {
        await using var h = await HttpHarness.StartAsync(o => o.Resilience.MaxRetries = 1);
        h.Server.Answer = r => r.Model == "small-a" ? ServerAnswer.Raw(body) : new ServerAnswer("ok");

        var routed = await h.AskAsync("malformed").AsTask().WaitAsync(Bound);

        var failed = routed.Attempts[0];
        Assert.Equal((AttemptOutcome.ProviderError, ProviderFailureKind.MalformedResponse), (failed.Outcome, failed.Failure));
        Assert.Equal((2, 1), (failed.Requests, failed.Retries)); // retried, as README promises for malformed bodies
        Assert.Equal(2, h.Server.RequestsFor("small-a"));
        Assert.Equal(new DeploymentInfo("beta", "small-b"), routed.Deployment);
        Assert.True(name.Length > 0);
    }
}
