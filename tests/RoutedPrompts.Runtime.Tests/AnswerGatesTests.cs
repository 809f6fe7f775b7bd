using Microsoft.Extensions.AI;

namespace RoutedPrompts.Tests;

/// <summary>A task's gates run as a unit, without a service provider, give the verdicts the router gives.</summary>
public sealed class AnswerGatesTests
{
    private static readonly DeploymentInfo SmallOpenAi = new("openai", Harness.SmallModel);

    public static TheoryData<string, Func<ChatResponse>, double?, string?, AttemptOutcome> Cases => new()
    {
        { "accepted", () => Reply.Text(Reply.GoodTicket, confidence: 0.9), 0.8, null, AttemptOutcome.Accepted },
        { "schema violation", () => Reply.Text("""{"category":"spam","priority":9}"""), null, null, AttemptOutcome.SchemaViolation },
        { "invalid json", () => Reply.Text("""{"category":"""), null, null, AttemptOutcome.InvalidJson },
        { "refusal", () => Reply.Text("I'm sorry, but I can't help with that."), null, null, AttemptOutcome.Refusal },
        { "provider refusal", () => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new ErrorContent("no") { ErrorCode = "Refusal" }])), null, null, AttemptOutcome.Refusal },
        { "empty", () => Reply.Text("  "), null, null, AttemptOutcome.Empty },
        { "truncated", () => Reply.Text(Reply.GoodTicket, finish: ChatFinishReason.Length), null, null, AttemptOutcome.Truncated },
        { "low confidence", () => Reply.Text(Reply.GoodTicket, confidence: 0.5), 0.8, null, AttemptOutcome.LowConfidence },
        { "missing confidence", () => Reply.Text(Reply.GoodTicket), 0.8, null, AttemptOutcome.MissingConfidence },
        { "validator method", () => Reply.Text("""{"category":"bug","priority":5}"""), null, "method", AttemptOutcome.ValidatorRejected },
        { "custom validator", () => Reply.Text("""{"category":"other","priority":1}"""), null, "type", AttemptOutcome.ValidatorRejected },
        { "custom validator accepts", () => Reply.Text(Reply.GoodTicket), null, "type", AttemptOutcome.Accepted },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Gates_run_standalone_give_the_routers_verdict(string name, Func<ChatResponse> response, double? threshold, string? validator, AttemptOutcome expected)
    {
        var task = Tasks.Triage(
            maxTier: Tier.Small,
            confidenceThreshold: threshold,
            validator: validator == "method" ? t => t.Priority < 5 : null,
            validatorType: validator == "type" ? typeof(NoOtherCategory) : null);
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, response());
        RoutingAttempt routed;
        try
        {
            routed = (await h.Router.RouteAsync(task, Tasks.Messages())).Answer;
        }
        catch (RoutingException ex)
        {
            routed = Assert.Single(ex.Attempts);
        }

        var gates = new AnswerGates<Ticket>(task, validator == "type" ? new NoOtherCategory() : null); // no service provider
        var standalone = await gates.EvaluateAsync(response(), new GateSettings(threshold), Tier.Small, SmallOpenAi);

        Assert.Equal(expected, routed.Outcome);
        Assert.Equal((routed.Outcome, routed.Reason, routed.Confidence), (standalone.Verdict.Outcome, standalone.Verdict.Reason, standalone.Confidence));
        Assert.Equal(expected == AttemptOutcome.Accepted, standalone.Value is not null);
        Assert.True(name.Length > 0);
    }

    [Fact]
    public void A_task_that_names_a_validator_type_needs_its_instance()
    {
        var task = Tasks.Triage(validatorType: typeof(NoOtherCategory));

        var ex = Assert.Throws<ArgumentException>(() => new AnswerGates<Ticket>(task));

        Assert.Contains(nameof(NoOtherCategory), ex.Message, StringComparison.Ordinal);
    }

    public sealed class NoOtherCategory : IResultValidator<Ticket>
    {
        public ValueTask<ResultValidation> ValidateAsync(Ticket result, ValidationContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(result.Category == "other" ? ResultValidation.Invalid($"'other' at {context.Tier} by {context.Deployment}") : ResultValidation.Valid);
    }
}
