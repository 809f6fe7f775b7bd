using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>A routed method with inputs of several types; the generator runs over it in this project.</summary>
public sealed partial class TypedInputsPrompts(PromptRouter router)
{
    [RoutedPrompt(Tier.Small, Prompt = "Flag {flag}, due {due}, amount {amount}, level {level}, note '{note}', count {count}, ratio {ratio}.")]
    public partial Task<string> DescribeAsync(bool flag, DateTime due, decimal amount, Tier level, string? note, int? count, double ratio, CancellationToken cancellationToken = default);
}

/// <summary>
/// The eval tool sends the prompt the generated method sends: each eval-set input is read as its parameter's type
/// (<see cref="RoutedTask.ParameterTypes"/>) and formatted as the generated code formats it.
/// </summary>
public sealed class EvalInputRenderingTests
{
    private const string Row = """{"inputs": {"flag": true, "due": "2026-11-29T06:30:00", "amount": 2.50, "level": "Large", "note": null, "count": 3, "ratio": 1e-3}, "expected": "ok"}""";

    private static RoutedTask<string> Task => TypedInputsPrompts.__RoutedPrompt_DescribeAsync;

    private sealed class CapturingClient : IChatClient
    {
        public List<ChatMessage> Sent { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Sent.AddRange(messages);
            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task The_eval_prompt_is_the_prompt_the_generated_method_sends()
    {
        var client = new CapturingClient();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("scripted", client);
        services.AddRoutedPrompts(o =>
        {
            foreach (var tier in Enum.GetNames<Tier>())
            {
                o.Tiers[tier] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "scripted", Model = tier.ToLowerInvariant() }] };
            }
        });
        using var provider = services.BuildServiceProvider();
        var prompts = new TypedInputsPrompts(provider.GetRequiredService<PromptRouter>());

        Assert.Equal("ok", await prompts.DescribeAsync(true, new DateTime(2026, 11, 29, 6, 30, 0), 2.50m, Tier.Large, null, 3, 0.001));
        var example = Assert.Single(EvalSet.Parse(Row, "evals/describe.jsonl", Task));
        var evalMessages = EvalRunner.Messages(Task, example);

        Assert.Equal([typeof(bool), typeof(DateTime), typeof(decimal), typeof(Tier), typeof(string), typeof(int?), typeof(double)], Task.ParameterTypes);
        Assert.Equal(client.Sent.Select(m => (m.Role, m.Text)), evalMessages.Select(m => (m.Role, m.Text)));
        // As JSON text the inputs would have read "true", "2026-11-29T06:30:00", "null" and "1e-3".
        Assert.Equal("Flag True, due 11/29/2026 06:30:00, amount 2.50, level Large, note '', count 3, ratio 0.001.", evalMessages[^1].Text);
    }

    [Theory]
    [InlineData("\"amount\": 2.50", "\"amount\": \"a lot\"", "inputs.amount: \"a lot\" cannot be read as Decimal, the parameter's type")]
    [InlineData("\"level\": \"Large\"", "\"level\": \"Huge\"", "inputs.level: \"Huge\" cannot be read as Tier, the parameter's type")]
    [InlineData("\"flag\": true", "\"flag\": null", "inputs.flag: null cannot be read as Boolean, the parameter's type")]
    public void An_input_that_is_not_its_parameters_type_is_an_error_at_file_and_line(string original, string replacement, string message)
    {
        var text = "\n" + Row.Replace(original, replacement, StringComparison.Ordinal);

        var error = Assert.Throws<EvalSetException>(() => EvalSet.Parse(text, "evals/describe.jsonl", Task));

        Assert.StartsWith("evals/describe.jsonl:2: " + message, error.Message);
    }

    [Fact]
    public void A_number_for_a_string_parameter_reads_as_its_text()
    {
        var task = TestTasks.Text(template: "Reply in {words} words to {ticket}", parameters: ["words", "ticket"], parameterTypes: [typeof(string), typeof(string)]);

        var example = Assert.Single(EvalSet.Parse("""{"inputs": {"words": 60, "ticket": "Hi"}, "expected": "ok"}""", "evals/reply.jsonl", task));

        Assert.Equal("60", example.Render("words"));
        Assert.Equal("Reply in 60 words to Hi", EvalRunner.Messages(task, example)[^1].Text);
    }
}
