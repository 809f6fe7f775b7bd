using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>The exact generated files for each return-type form (snapshots in <c>Snapshots/</c>); each also compiles warning-free.</summary>
public sealed class EmittedSourceTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.ComponentModel;
        using System.ComponentModel.DataAnnotations;
        using System.Threading;
        using System.Threading.Tasks;
        using RoutedPrompts;

        """;

    private const string Sentiment = Usings + """
        namespace Reviews;

        public enum Mood { Negative, Neutral, Positive }

        public sealed record Sentiment(Mood Mood, double Score);

        """;

    [Fact]
    public Task Task_of_record() => GeneratorTest.VerifySnapshotAsync(nameof(Task_of_record), Usings + """
        namespace Support;

        public enum TicketCategory { Billing, Technical, Account, Other }

        public sealed record TicketTriage(
            TicketCategory Category,
            [property: Range(1, 5)] int Priority,
            [Description("One sentence.")] string Summary,
            IReadOnlyList<string> Tags,
            string? Customer);

        public sealed partial class SupportPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, EvalSet = "evals/triage.jsonl", Instructions = "You triage customer support tickets.",
                Prompt = "Classify this ticket.\nTicket: {ticket}")]
            public partial Task<TicketTriage> TriageAsync(string ticket, CancellationToken cancellationToken = default);
        }
        """);

    [Fact]
    public Task Value_task_of_record() => GeneratorTest.VerifySnapshotAsync(nameof(Value_task_of_record), Sentiment + """
        internal partial class ReviewPrompts
        {
            private readonly PromptRouter router = null!;

            [RoutedPrompt(Tier.Medium, MaxTier = Tier.Medium, ConfidenceThreshold = 0.8, Prompt = "Rate {stars} stars: {review}")]
            internal partial ValueTask<Sentiment> RateAsync(string review, int stars, CancellationToken ct);
        }
        """);

    [Fact]
    public Task Task_of_routed() => GeneratorTest.VerifySnapshotAsync(nameof(Task_of_routed), Sentiment + """
        public partial class ReviewPrompts
        {
            public PromptRouter Router { get; } = null!;

            [RoutedPrompt(Tier.Small, Name = "reviews.sentiment", Prompt = "{review}", Validator = nameof(IsSure))]
            public partial Task<Routed<Sentiment>> RateAsync(string review);

            private static bool IsSure(Sentiment sentiment) => sentiment.Score > 0.5;
        }
        """);

    [Fact]
    public Task Value_task_of_routed() => GeneratorTest.VerifySnapshotAsync(nameof(Value_task_of_routed), Sentiment + """
        public sealed class SentimentValidator : IResultValidator<Sentiment>
        {
            public ValueTask<ResultValidation> ValidateAsync(Sentiment result, RoutedPrompts.ValidationContext context, CancellationToken cancellationToken) =>
                ValueTask.FromResult(ResultValidation.Valid);
        }

        public static partial class ReviewPrompts
        {
            [RoutedPrompt(Tier.Large, ValidatorType = typeof(SentimentValidator), Schema = "schemas/sentiment.json",
                Prompt = "Review: {review}\nLanguage: {language}\nStars: {stars}\nVerified: {verified}\nJSON like {{\"mood\": ...}}")]
            public static partial ValueTask<Routed<Sentiment>> RateAsync(PromptRouter router, string review, string language, int? stars, bool verified, CancellationToken cancellationToken = default);
        }
        """,
        ("schemas/sentiment.json", """{ "type": "object" }"""));

    [Fact]
    public Task String_result_from_prompt_file() => GeneratorTest.VerifySnapshotAsync(nameof(String_result_from_prompt_file), Usings + """
        namespace Support;

        public sealed partial class SupportPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, PromptFile = "prompts/answer.txt", Validator = nameof(IsGrounded))]
            public partial ValueTask<Routed<string>> AnswerAsync(string question, int maxWords, CancellationToken cancellationToken = default);

            private static bool IsGrounded(string answer) => answer.Length > 0;
        }
        """,
        ("/project/prompts/answer.txt", "Answer in at most {maxWords} words.\nQuestion: {question}\n"));

    [Fact]
    public Task Route_context_parameters() => GeneratorTest.VerifySnapshotAsync(nameof(Route_context_parameters), RouteContextTests.Source);

    [Fact]
    public Task Nested_types_in_global_namespace() => GeneratorTest.VerifySnapshotAsync(nameof(Nested_types_in_global_namespace), Usings + """
        public static partial class Outer
        {
            internal partial record struct Inner
            {
                private static readonly PromptRouter Shared = null!;

                [RoutedPrompt(Tier.Small, Prompt = "Say hi to {name}.")]
                public static partial Task<string> GreetAsync(string name);
            }
        }
        """);
}
