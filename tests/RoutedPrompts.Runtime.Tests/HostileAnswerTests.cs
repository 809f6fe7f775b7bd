using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

public sealed record Invoice(int Quantity, double Amount, double Rate = 0, string? Note = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Invoice))]
public sealed partial class InvoiceJsonContext : JsonSerializerContext;

/// <summary>
/// Whatever a model answers ends as an accepted answer of the right value or a named failure, through a scripted
/// <see cref="IChatClient"/> and through the real OpenAI SDK over loopback HTTP; nothing escapes but
/// <see cref="RoutingException"/>.
/// </summary>
public sealed class HostileAnswerTests
{
    /// <summary>A user schema that allows extra properties (so <c>Amount</c> beside <c>amount</c> is not a violation by itself).</summary>
    public const string InvoiceSchema = """
        {
          "type": "object",
          "properties": {
            "quantity": { "type": "integer" },
            "amount": { "type": "number", "maximum": 100 },
            "rate": { "type": "number" },
            "note": { "type": "string" }
          },
          "required": ["quantity", "amount"]
        }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>What an answer must end as; <see cref="Failure"/> is set for a provider error (an answer the SDK could not read).</summary>
    public sealed record Expected(AttemptOutcome Outcome, Invoice? Value = null, ProviderFailureKind Failure = ProviderFailureKind.None, string? ReasonPart = null);

    /// <summary>One hostile answer: its text (or, over HTTP, the raw JSON literal of the completion's content) and what it must end as per transport.</summary>
    public sealed record Case(string? Text, Expected Fake, Expected? Http = null, string? HttpContentLiteral = null, string Validator = "none");

    private static readonly string Huge = new('x', 20 * 1024 * 1024);

    private static readonly Dictionary<string, Case> Corpus = new(StringComparer.Ordinal)
    {
        ["well-formed"] = new("""{"quantity":3,"amount":12.5}""", new(AttemptOutcome.Accepted, new Invoice(3, 12.5))),
        ["2^70 for an int"] = new("""{"quantity":1180591620717411303424,"amount":1}""", new(AttemptOutcome.SchemaViolation, ReasonPart: "at #/quantity")),
        ["integer digits beyond long for a double"] = new("""{"quantity":1,"amount":1,"rate":100000000000000000000000000}""", new(AttemptOutcome.Accepted, new Invoice(1, 1, 1e26))),
        ["2^70 against a maximum"] = new("""{"quantity":1,"amount":1180591620717411303424}""", new(AttemptOutcome.SchemaViolation, ReasonPart: "NumberTooBig")),
        ["1e400 for a double"] = new("""{"quantity":1,"amount":1,"rate":1e400}""", new(AttemptOutcome.SchemaViolation, ReasonPart: "NumberOutOfRange at #/rate")),
        ["-1e400 for a double"] = new("""{"quantity":1,"amount":1,"rate":-1e400}""", new(AttemptOutcome.SchemaViolation, ReasonPart: "NumberOutOfRange")),
        ["raw lone surrogate"] = new(
            "{\"quantity\":1,\"amount\":1,\"note\":\"\ud800\"}",
            new(AttemptOutcome.InvalidJson, ReasonPart: "surrogate"),
            // Over HTTP the surrogate can only travel escaped in the completion; the SDK cannot read it.
            Http: new(AttemptOutcome.ProviderError, Failure: ProviderFailureKind.MalformedResponse),
            HttpContentLiteral: "\"{\\\"quantity\\\":1,\\\"amount\\\":1,\\\"note\\\":\\\"\\ud800\\\"}\""),
        ["escaped lone surrogate"] = new("""{"quantity":1,"amount":1,"note":"\ud800"}""", new(AttemptOutcome.SchemaViolation, ReasonPart: "Invoice")),
        ["case-colliding keys"] = new("""{"quantity":1,"amount":50,"Amount":5000}""", new(AttemptOutcome.Accepted, new Invoice(1, 50))),
        ["duplicate keys, last too big"] = new("""{"quantity":1,"amount":50,"amount":5000}""", new(AttemptOutcome.InvalidJson, ReasonPart: "repeats a property name")),
        ["duplicate keys, last small"] = new("""{"quantity":1,"amount":5000,"amount":50}""", new(AttemptOutcome.InvalidJson)),
        ["deep nesting"] = new(new string('[', 10_000) + new string(']', 10_000), new(AttemptOutcome.InvalidJson)),
        ["deep nesting, unclosed"] = new(new string('[', 10_000), new(AttemptOutcome.InvalidJson)),
        ["20 MB answer"] = new("{\"quantity\":2,\"amount\":3,\"note\":\"" + Huge + "\"}", new(AttemptOutcome.Accepted, new Invoice(2, 3, 0, Huge))),
        ["code fence"] = new("```json\n{\"quantity\":4,\"amount\":5}\n```", new(AttemptOutcome.Accepted, new Invoice(4, 5))),
        ["other fence"] = new("```python\n{\"quantity\":4,\"amount\":5}\n```", new(AttemptOutcome.InvalidJson)),
        ["null content"] = new(null, new(AttemptOutcome.Empty), HttpContentLiteral: "null"),
        ["empty"] = new("", new(AttemptOutcome.Empty)),
        ["JSON null"] = new("null", new(AttemptOutcome.SchemaViolation)),
        ["refusal"] = new("I'm sorry, but I can't help with that.", new(AttemptOutcome.Refusal)),
        ["garbage"] = new("\u0001\u0002<<}{>>\u0000", new(AttemptOutcome.InvalidJson)),
        ["wrong type"] = new("""{"quantity":"three","amount":1}""", new(AttemptOutcome.SchemaViolation)),
        ["throwing validator method"] = new("""{"quantity":1,"amount":1}""", new(AttemptOutcome.ValidatorRejected, ReasonPart: "threw IndexOutOfRangeException"), Validator: "method"),
        ["throwing IResultValidator"] = new("""{"quantity":1,"amount":1}""", new(AttemptOutcome.ValidatorRejected, ReasonPart: "ThrowingValidator threw InvalidOperationException"), Validator: "type"),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Corpus.Keys)
        {
            data.Add(name, "fake");
            data.Add(name, "http");
        }

        return data;
    }

    public static RoutedTask<Invoice> InvoiceTask(string validator = "none") => new()
    {
        Name = "Billing.Invoice",
        DeclaringType = "Tests.BillingPrompts",
        MethodName = "InvoiceAsync",
        Tier = Tier.Small,
        MaxTier = Tier.Small,
        Template = "Invoice: {text}",
        Parameters = ["text"],
        SchemaJson = InvoiceSchema,
        JsonTypeInfo = InvoiceJsonContext.Default.Invoice,
        Validator = validator == "method" ? static invoice => Array.Empty<int>()[invoice.Quantity] > 0 : null,
        ValidatorType = validator == "type" ? typeof(ThrowingValidator) : null,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_hostile_answer_ends_as_the_right_value_or_a_named_failure(string name, string transport)
    {
        var hostile = Corpus[name];
        var expected = transport == "http" ? hostile.Http ?? hostile.Fake : hostile.Fake;
        var task = InvoiceTask(hostile.Validator);
        var messages = Tasks.Messages("hostile");

        IReadOnlyList<RoutingAttempt> attempts;
        Invoice? value = null;
        try
        {
            Routed<Invoice> routed;
            if (transport == "fake")
            {
                using var h = Harness.Create();
                h.OpenAi.Reply(Harness.SmallModel, hostile.Text is null
                    ? new ChatResponse(new ChatMessage(ChatRole.Assistant, (string?)null)) { FinishReason = ChatFinishReason.Stop }
                    : Reply.Text(hostile.Text));
                routed = await h.Router.RouteAsync(task, messages).AsTask().WaitAsync(Bound);
            }
            else
            {
                await using var h = await HttpHarness.StartAsync();
                h.Server.Answer = _ => hostile.HttpContentLiteral is { } literal ? ServerAnswer.Raw(Completion(literal)) : new ServerAnswer(hostile.Text!);
                routed = await h.Router.RouteAsync(task, messages).AsTask().WaitAsync(Bound);
            }

            attempts = routed.Attempts;
            value = routed.Value;
        }
        catch (RoutingException ex)
        {
            attempts = ex.Attempts;
        }

        Assert.NotEmpty(attempts);
        Assert.All(attempts, a => Assert.Equal(expected.Outcome, a.Outcome));
        Assert.All(attempts, a => Assert.Equal(expected.Failure, a.Failure));
        Assert.Equal(expected.Value, value);
        if (expected.ReasonPart is { } part)
        {
            Assert.Contains(part, attempts[0].Reason, StringComparison.Ordinal);
        }
    }

    /// <summary>A chat completion whose message content is <paramref name="contentLiteral"/>, a raw JSON literal.</summary>
    private static string Completion(string contentLiteral) =>
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"small-a\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":" + contentLiteral + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5,\"total_tokens\":10}}";

    public sealed class ThrowingValidator : IResultValidator<Invoice>
    {
        public ValueTask<ResultValidation> ValidateAsync(Invoice result, ValidationContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("validator bug quoting the answer: " + result);
    }
}
