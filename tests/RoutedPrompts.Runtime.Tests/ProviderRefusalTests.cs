using Microsoft.Extensions.AI;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// OpenAI structured outputs refuse in the message's <c>refusal</c> field, which Microsoft.Extensions.AI surfaces as
/// <see cref="ErrorContent"/> with code <c>Refusal</c> and empty text: a <see cref="AttemptOutcome.Refusal"/>, not
/// <see cref="AttemptOutcome.Empty"/>.
/// </summary>
public sealed class ProviderRefusalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static ChatResponse Refused(string message) => new(new ChatMessage(ChatRole.Assistant, [new ErrorContent(message) { ErrorCode = "Refusal" }]))
    {
        FinishReason = ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
    };

    [Fact]
    public async Task A_refusal_error_content_is_a_refusal_and_escalates()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Refused("Declined."))
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal([AttemptOutcome.Refusal, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Contains("refusal", routed.Attempts[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Declined", routed.Attempts[0].Reason); // reasons never quote the answer
    }

    [Fact]
    public async Task Other_error_content_with_empty_text_is_still_empty()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, new ChatResponse(new ChatMessage(ChatRole.Assistant, [new ErrorContent("overloaded") { ErrorCode = "server_error" }])) { FinishReason = ChatFinishReason.Stop })
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal([AttemptOutcome.Empty, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task An_openai_refusal_field_through_the_sdk_is_a_refusal()
    {
        await using var h = await HttpHarness.StartAsync();
        var answer = h.Server.Answer;
        h.Server.Answer = r => r.Model == "small-a"
            ? ServerAnswer.Raw("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"small-a\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"Declined by policy.\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}}")
            : new ServerAnswer(Reply.GoodTicket);

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages()).AsTask().WaitAsync(Bound);

        Assert.Equal([AttemptOutcome.Refusal, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(["small-a", "medium-a"], h.Server.Requests.Select(r => r.Model));
    }
}
