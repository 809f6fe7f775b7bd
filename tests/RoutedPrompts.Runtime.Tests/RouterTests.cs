using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts.Tests;

public sealed class RouterTests
{
    [Fact]
    public async Task A_schema_NJsonSchema_cannot_read_fails_the_request_before_any_paid_call()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, _ => Task.FromResult(Reply.Text("""{"category":"billing","priority":2}""")));
        var task = Tasks.Triage(name: "Support.BrokenSchema", schema: """{"type": "object", "properties": {"category": {"$ref": "#/definitions/missing"}}}""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Router.RouteAsync(task, Tasks.Messages()).AsTask());

        Assert.Contains("Support.BrokenSchema", error.Message);
        Assert.Empty(h.Log);
    }

    [Fact]
    public async Task Accepts_on_the_first_tier_with_provenance()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, ct =>
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(250));
            return Task.FromResult(Reply.Text(Reply.GoodTicket, input: 1000, output: 200, logprob: -0.05));
        });
        var messages = Tasks.Messages();

        var routed = await h.Router.RouteAsync(Tasks.Triage(), messages);

        Assert.Equal(new Ticket("bug", 2), routed.Value);
        var call = Assert.Single(h.Log);
        Assert.Equal(Harness.SmallModel, call.ModelId);
        Assert.Equal(messages, call.Messages);
        var format = Assert.IsType<ChatResponseFormatJson>(call.Options!.ResponseFormat);
        Assert.Equal("Support_Triage", format.SchemaName);
        Assert.Equal("object", format.Schema!.Value.GetProperty("type").GetString());

        Assert.Equal(Tier.Small, routed.Tier);
        Assert.Equal(new DeploymentInfo("openai", Harness.SmallModel), routed.Deployment);
        Assert.Equal(0, routed.Escalations);
        var attempt = Assert.Single(routed.Attempts);
        Assert.Equal(AttemptOutcome.Accepted, attempt.Outcome);
        Assert.Null(attempt.Reason);
        Assert.Equal(1000, attempt.InputTokens);
        Assert.Equal(200, attempt.OutputTokens);
        Assert.Equal(0.00027m, attempt.CostUsd); // (1000 * 0.15 + 200 * 0.6) / 1e6
        Assert.Equal(TimeSpan.FromMilliseconds(250), attempt.Latency);
        Assert.Equal(Math.Exp(-0.05), attempt.Confidence!.Value, 10);
        Assert.Equal("Support.Triage", routed.TaskName);
    }

    [Fact]
    public async Task Text_task_returns_trimmed_text_without_response_format()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("  A short summary.\n"));

        var routed = await h.Router.RouteAsync(Tasks.Summary(), Tasks.Messages());

        Assert.Equal("A short summary.", routed.Value);
        Assert.Null(Assert.Single(h.Log).Options!.ResponseFormat);
    }

    [Fact]
    public async Task Fenced_json_is_accepted()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("```json\n" + Reply.GoodTicket + "\n```"));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(new Ticket("bug", 2), routed.Value);
    }

    public static TheoryData<string, ChatResponse, AttemptOutcome, string> GateFailures => new()
    {
        { "empty", Reply.Text("   "), AttemptOutcome.Empty, "empty" },
        { "refusal", Reply.Text("I'm sorry, but I can't help with that request."), AttemptOutcome.Refusal, "refusal" },
        { "refusal (curly apostrophe)", Reply.Text("I\u2019m sorry, but I can\u2019t do that."), AttemptOutcome.Refusal, "refusal" },
        { "as an AI", Reply.Text("As an AI language model, I do not triage."), AttemptOutcome.Refusal, "refusal" },
        { "content filter", Reply.Text("", finish: ChatFinishReason.ContentFilter), AttemptOutcome.Refusal, "content filter" },
        { "truncated", Reply.Text("""{"category":"bug","prio""", finish: ChatFinishReason.Length), AttemptOutcome.Truncated, "token limit" },
        { "bad json", Reply.Text("The category is bug."), AttemptOutcome.InvalidJson, "not valid JSON" },
        { "schema enum", Reply.Text("""{"category":"weird","priority":2}"""), AttemptOutcome.SchemaViolation, "#/category" },
        { "schema required", Reply.Text("""{"category":"bug"}"""), AttemptOutcome.SchemaViolation, "PropertyRequired" },
        { "schema range", Reply.Text("""{"category":"bug","priority":9}"""), AttemptOutcome.SchemaViolation, "#/priority" },
    };

    [Theory]
    [MemberData(nameof(GateFailures))]
    public async Task Escalates_on_each_built_in_gate(string name, ChatResponse bad, AttemptOutcome outcome, string reasonPart)
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, bad).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(2, routed.Attempts.Count);
        var failed = routed.Attempts[0];
        Assert.Equal(outcome, failed.Outcome);
        Assert.Equal(Tier.Small, failed.Tier);
        Assert.Contains(reasonPart, failed.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(1, routed.Escalations);
        Assert.Equal([Harness.SmallModel, Harness.MediumModel], h.Log.Select(c => c.ModelId));
        Assert.True(name.Length > 0);
    }

    [Fact]
    public async Task Deserialization_failure_is_a_schema_violation()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("""{"category":"bug","priority":"high"}""")).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(schema: null), Tasks.Messages());

        Assert.Equal(AttemptOutcome.SchemaViolation, routed.Attempts[0].Outcome);
        Assert.Contains("Ticket", routed.Attempts[0].Reason);
        Assert.Contains("$.priority", routed.Attempts[0].Reason);
        Assert.Same(ChatResponseFormat.Json, h.Log[0].Options!.ResponseFormat);
    }

    [Fact]
    public async Task Escalates_on_low_log_probability()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, logprob: -1.0))
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket, logprob: -0.01));

        var routed = await h.Router.RouteAsync(Tasks.Triage(confidenceThreshold: 0.8), Tasks.Messages());

        var low = routed.Attempts[0];
        Assert.Equal(AttemptOutcome.LowConfidence, low.Outcome);
        Assert.Equal(Math.Exp(-1.0), low.Confidence!.Value, 10);
        Assert.Contains("0.3679", low.Reason);
        Assert.Contains("0.8", low.Reason);
        Assert.Equal(Tier.Medium, routed.Tier);
    }

    [Fact]
    public async Task Confidence_property_is_used_when_there_is_no_log_probability()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, confidence: "0.5"))
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket, confidence: 0.95f));

        var routed = await h.Router.RouteAsync(Tasks.Triage(confidenceThreshold: 0.8), Tasks.Messages());

        Assert.Equal(AttemptOutcome.LowConfidence, routed.Attempts[0].Outcome);
        Assert.Equal(0.5, routed.Attempts[0].Confidence);
        Assert.Equal(0.95, routed.Answer.Confidence!.Value, 5);
    }

    [Fact]
    public async Task Confidence_gate_fails_an_answer_without_a_signal()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var failed = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small, confidenceThreshold: 0.99), Tasks.Messages()).AsTask());

        var attempt = Assert.Single(failed.Attempts);
        Assert.Equal(AttemptOutcome.MissingConfidence, attempt.Outcome);
        Assert.Null(attempt.Confidence);
    }

    [Fact]
    public async Task Confidence_gate_is_skipped_without_a_threshold()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, logprob: -5));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Tier);
        Assert.Equal(Math.Exp(-5), routed.Answer.Confidence!.Value, 10);
    }

    [Fact]
    public async Task Configured_threshold_overrides_the_descriptor()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Support.Triage"] = new TaskOptions { ConfidenceThreshold = 0.2 };
        });
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, logprob: -1.0));

        var routed = await h.Router.RouteAsync(Tasks.Triage(confidenceThreshold: 0.9), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Tier);
    }

    [Fact]
    public async Task Static_validator_rejection_escalates()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("""{"category":"bug","priority":5}"""))
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(validator: t => t.Priority <= 3), Tasks.Messages());

        Assert.Equal(AttemptOutcome.ValidatorRejected, routed.Attempts[0].Outcome);
        Assert.Contains("validator", routed.Attempts[0].Reason);
        Assert.Equal(2, routed.Value.Priority);
    }

    [Fact]
    public async Task Result_validator_rejection_escalates_and_is_resolved_once_per_router()
    {
        NoOtherValidator.Created = 0;
        using var h = Harness.Create(services: s => s.AddSingleton<Counter>());
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("""{"category":"other","priority":2}"""))
            .Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket))
            .Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));
        var task = Tasks.Triage(validatorType: typeof(NoOtherValidator));

        var routed = await h.Router.RouteAsync(task, Tasks.Messages());
        var second = await h.Router.RouteAsync(task, Tasks.Messages());

        Assert.Equal(AttemptOutcome.ValidatorRejected, routed.Attempts[0].Outcome);
        Assert.Equal("NoOtherValidator: 'other' needs a human (seen at Small by openai/small-model)", routed.Attempts[0].Reason);
        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(Tier.Small, second.Tier);
        Assert.Equal(1, NoOtherValidator.Created);
        Assert.Equal(3, h.Services.GetRequiredService<Counter>().Value);
    }

    [Fact]
    public async Task Descriptor_max_tier_is_respected()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("")).Reply(Harness.MediumModel, Reply.Text(""));

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Medium), Tasks.Messages()).AsTask());

        Assert.Equal([Tier.Small, Tier.Medium], ex.Attempts.Select(a => a.Tier));
        Assert.DoesNotContain(h.Log, c => c.ModelId == Harness.LargeModel);
    }

    [Fact]
    public async Task Configured_max_tier_lowers_but_never_raises_the_descriptor()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Lowered"] = new TaskOptions { MaxTier = Tier.Small };
            o.Tasks["Raised"] = new TaskOptions { MaxTier = Tier.Large };
        });
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("")).Reply(Harness.SmallModel, Reply.Text("")).Reply(Harness.MediumModel, Reply.Text(""));

        var lowered = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage("Lowered"), Tasks.Messages()).AsTask());
        var raised = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage("Raised", maxTier: Tier.Medium), Tasks.Messages()).AsTask());

        Assert.Equal([Tier.Small], lowered.Attempts.Select(a => a.Tier));
        Assert.Equal([Tier.Small, Tier.Medium], raised.Attempts.Select(a => a.Tier));
    }

    [Fact]
    public async Task Never_moves_down_a_tier()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Support.Triage"] = new TaskOptions { Tier = Tier.Small }; // config may not lower the start tier
        });
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text("not json")).Throw(Harness.LargeModel, new HttpRequestException("down"));
        h.Azure.Reply(Harness.LargeModel, Reply.Text("still not json"));

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(tier: Tier.Medium), Tasks.Messages()).AsTask());

        Assert.DoesNotContain(h.Log, c => c.ModelId == Harness.SmallModel);
        var tiers = ex.Attempts.Select(a => a.Tier).ToArray();
        Assert.Equal(tiers.Order(), tiers);
        Assert.Equal(Tier.Medium, tiers[0]);
    }

    [Fact]
    public async Task Configured_start_tier_raises_the_start()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Support.Triage"] = new TaskOptions { Tier = Tier.Medium };
        });
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Single(h.Log);
    }

    [Fact]
    public async Task Provider_error_falls_over_within_the_tier()
    {
        using var h = Harness.Create();
        h.OpenAi.Throw(Harness.SmallModel, new HttpRequestException("Service Unavailable", null, HttpStatusCode.ServiceUnavailable));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket, input: 1000, output: 1000));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Tier);
        Assert.Equal(new DeploymentInfo("azure", Harness.SmallModel), routed.Deployment);
        Assert.Equal(0, routed.Escalations);
        var error = routed.Attempts[0];
        Assert.Equal(AttemptOutcome.ProviderError, error.Outcome);
        Assert.Equal(new DeploymentInfo("openai", Harness.SmallModel), error.Deployment);
        Assert.Equal("HttpRequestException (HTTP 503 ServiceUnavailable)", error.Reason);
        Assert.Equal(0m, routed.Answer.CostUsd); // azure has no prices configured
    }

    [Fact]
    public async Task Provider_errors_on_every_deployment_escalate()
    {
        using var h = Harness.Create();
        h.OpenAi.Throw(Harness.SmallModel, new InvalidOperationException("boom")).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));
        h.Azure.Throw(Harness.SmallModel, new TimeoutException());

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal([AttemptOutcome.ProviderError, AttemptOutcome.ProviderError, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(["InvalidOperationException", "TimeoutException", null], routed.Attempts.Select(a => a.Reason));
        Assert.Equal(Tier.Medium, routed.Tier);
    }

    [Fact]
    public async Task A_gate_failure_does_not_try_the_next_deployment_of_the_tier()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("nope")).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Empty(h.Azure.Calls);
    }

    [Fact]
    public async Task Routing_exception_carries_every_attempt_and_a_readable_message()
    {
        using var h = Harness.Create();
        var lastError = new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway);
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("")).Reply(Harness.MediumModel, Reply.Text("I cannot help with that."))
            .Reply(Harness.LargeModel, Reply.Text("{}"));
        h.Azure.Throw(Harness.LargeModel, lastError);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages()).AsTask());

        Assert.Equal("Support.Triage", ex.TaskName);
        Assert.Equal(
            [AttemptOutcome.Empty, AttemptOutcome.Refusal, AttemptOutcome.SchemaViolation],
            ex.Attempts.Select(a => a.Outcome));
        Assert.Contains("Routed task 'Support.Triage' got no acceptable answer after 3 attempt(s)", ex.Message);
        Assert.Contains("1. Small openai/small-model: Empty", ex.Message);
        Assert.Contains("2. Medium openai/medium-model: Refusal", ex.Message);
        Assert.Contains("3. Large openai/large-model: SchemaViolation", ex.Message);
        Assert.DoesNotContain("My invoice", ex.Message);
        Assert.Empty(h.Azure.Calls);
    }

    [Fact]
    public async Task Routing_exception_wraps_the_last_provider_error_only_when_exposed()
    {
        using var h = Harness.Create(o =>
        {
            o.Tiers["Small"] = Harness.Tier(Harness.SmallModel, 0, 0);
            o.ExposeProviderExceptions = true;
        });
        var error = new HttpRequestException("down", null, HttpStatusCode.TooManyRequests);
        h.OpenAi.Throw(Harness.SmallModel, new TimeoutException());
        h.Azure.Throw(Harness.SmallModel, error);

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages()).AsTask());

        Assert.Same(error, ex.InnerException);
        Assert.Equal(2, ex.Attempts.Count);
        Assert.Contains("HTTP 429", ex.Message);
    }

    [Fact]
    public async Task No_deployments_for_any_reachable_tier_is_a_routing_exception_without_attempts()
    {
        using var h = Harness.Create(o => o.Tiers["Large"] = Harness.Tier(Harness.LargeModel, 0, 0));

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Medium), Tasks.Messages()).AsTask());

        Assert.Empty(ex.Attempts);
        Assert.Contains("no tier it may reach has a deployment configured", ex.Message);
    }

    [Fact]
    public async Task Cancellation_before_the_call_makes_no_call()
    {
        using var h = Harness.Create();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages(), cts.Token).AsTask());

        Assert.Empty(h.Log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cancellation_during_a_call_propagates_without_further_calls(bool clientObservesToken)
    {
        using var h = Harness.Create();
        using var cts = new CancellationTokenSource();
        h.OpenAi.Reply(Harness.SmallModel, ct =>
        {
            cts.Cancel();
            if (clientObservesToken)
            {
                ct.ThrowIfCancellationRequested();
            }

            return Task.FromResult(Reply.Text("not json")); // would escalate if the router did not check the token
        });

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages(), cts.Token).AsTask());

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Single(h.Log);
    }

    [Fact]
    public async Task A_provider_timeout_is_an_availability_failure_not_a_cancellation()
    {
        using var h = Harness.Create();
        h.OpenAi.Throw(Harness.SmallModel, new TaskCanceledException("HttpClient.Timeout elapsed"));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(AttemptOutcome.ProviderError, routed.Attempts[0].Outcome);
        Assert.Equal("TaskCanceledException", routed.Attempts[0].Reason);
    }

    [Fact]
    public async Task A_non_string_result_is_a_json_task_so_a_descriptor_without_json_metadata_is_an_error()
    {
        // The result kind follows the result type: a "text task returning int" can no longer be written.
        using var h = Harness.Create();
        var task = new RoutedTask<int>
        {
            Name = "Bad", DeclaringType = "T", MethodName = "M", Tier = Tier.Small, Template = "x",
        };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Router.RouteAsync(task, Tasks.Messages()).AsTask());

        Assert.Equal(ResultKind.Json, task.ResultKind);
        Assert.Equal(ResultKind.Text, Tasks.Summary().ResultKind);
        Assert.Contains("returns JSON but its descriptor has no JsonTypeInfo", ex.Message);
        Assert.Empty(h.Log);
    }

    [Fact]
    public async Task A_reader_that_throws_anything_is_a_schema_violation()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket)).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));
        var task = Tasks.Triage(name: "Support.Throwing", schema: null);
        var throwing = new RoutedTask<Ticket>
        {
            Name = task.Name, DeclaringType = task.DeclaringType, MethodName = task.MethodName, Tier = Tier.Small, MaxTier = Tier.Small,
            Template = task.Template,
            JsonTypeInfo = RoutedJson.CreateTypeInfo(new ThrowingTicketConverter()),
        };

        var ex = await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(throwing, Tasks.Messages()).AsTask());

        var attempt = Assert.Single(ex.Attempts);
        Assert.Equal(AttemptOutcome.SchemaViolation, attempt.Outcome);
        Assert.Contains("NullReferenceException", attempt.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_validator_rejects_with_its_exception_type_and_escalates()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("""{"category":"bug","priority":4}""")).Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(validator: t => t.Priority < 3 || ThrowFor(t)), Tasks.Messages());

        Assert.Equal([AttemptOutcome.ValidatorRejected, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal("The task's validator method threw ArgumentException.", routed.Attempts[0].Reason); // the type, never the message
        Assert.Equal(Tier.Medium, routed.Tier);
    }

    [Fact]
    public async Task A_validator_cancelled_by_the_caller_propagates_the_cancellation()
    {
        using var cts = new CancellationTokenSource();
        using var h = Harness.Create(services: s => s.AddSingleton(cts));
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => h.Router.RouteAsync(Tasks.Triage(validatorType: typeof(CancellingValidator)), Tasks.Messages(), cts.Token).AsTask());

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Single(h.Log);
    }

    private static bool ThrowFor(Ticket ticket) => throw new ArgumentException("priority " + ticket.Priority + " of 'bug' from the answer");

    public sealed class CancellingValidator(CancellationTokenSource cts) : IResultValidator<Ticket>
    {
        public async ValueTask<ResultValidation> ValidateAsync(Ticket result, ValidationContext context, CancellationToken cancellationToken)
        {
            await cts.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            return ResultValidation.Valid;
        }
    }

    private sealed class ThrowingTicketConverter : System.Text.Json.Serialization.JsonConverter<Ticket>
    {
        public override Ticket Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
        {
            reader.Skip();
            string? missing = null;
            return new Ticket(missing!.Trim(), 1); // a reader bug a hostile answer can reach
        }

        public override void Write(System.Text.Json.Utf8JsonWriter writer, Ticket value, System.Text.Json.JsonSerializerOptions options) =>
            throw new NotSupportedException();
    }

    public sealed class Counter
    {
        public int Value;
    }

    public sealed class NoOtherValidator(Counter counter) : IResultValidator<Ticket>
    {
        public static int Created;

        private readonly int _instance = Interlocked.Increment(ref Created);

        public ValueTask<ResultValidation> ValidateAsync(Ticket result, ValidationContext context, CancellationToken cancellationToken)
        {
            Assert.True(_instance > 0);
            Interlocked.Increment(ref counter.Value);
            return ValueTask.FromResult(result.Category == "other"
                ? ResultValidation.Invalid($"'other' needs a human (seen at {context.Tier} by {context.Deployment})")
                : ResultValidation.Valid);
        }
    }
}
