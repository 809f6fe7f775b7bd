using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>Routed methods with inputs of several types and template edges; the generator runs over them in this project.</summary>
public sealed partial class TypedInputsPrompts(PromptRouter router)
{
    [RoutedPrompt(Tier.Small, Prompt = "Flag {flag}, due {due}, amount {amount}, level {level}, note '{note}', count {count}, ratio {ratio}.")]
    public partial Task<string> DescribeAsync(bool flag, DateTime due, decimal amount, Tier level, string? note, int? count, double ratio, CancellationToken cancellationToken = default);

    [RoutedPrompt(Tier.Small, Instructions = "Answer as {{\"json\": true}}; {name} is not a placeholder here.",
        Prompt = "{{literal}} {name}, again {name}; {count} item(s) }}{{ {{{name}}}")]
    public partial Task<string> EdgesAsync(string name, int count, CancellationToken cancellationToken = default);

    [RoutedPrompt(Tier.Small, Prompt = "Reply in {words} words to {ticket}")]
    public partial Task<string> ReplyAsync(string words, string ticket, CancellationToken cancellationToken = default);
}

/// <summary>
/// The eval tool sends the messages the generated method sends, by construction: both call the one generated builder
/// (<see cref="RoutedTask.CreateMessages"/>), eval with each eval-set input read as its parameter's type
/// (<see cref="RoutedTask.ParameterTypes"/>).
/// </summary>
public sealed class EvalInputRenderingTests : IDisposable
{
    private const string Row = """{"inputs": {"flag": true, "due": "2026-11-29T06:30:00", "amount": 2.50, "level": "Large", "note": null, "count": 3, "ratio": 1e-3}, "expected": "ok"}""";

    private readonly string _dir = Directory.CreateTempSubdirectory("rp-render-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RoutedTask<string> Task => TypedInputsPrompts.__RoutedPrompt_DescribeAsync;

    private sealed class CapturingClient : IChatClient
    {
        public List<ChatMessage> Sent { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (Sent)
            {
                Sent.AddRange(messages);
            }

            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>What the generated method sends when called through a router whose every tier is <paramref name="client"/>.</summary>
    private static async Task<List<ChatMessage>> MethodSendsAsync(Func<TypedInputsPrompts, Task<string>> call)
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
        await using var provider = services.BuildServiceProvider();
        Assert.Equal("ok", await call(new TypedInputsPrompts(provider.GetRequiredService<PromptRouter>())));
        return client.Sent;
    }

    /// <summary>What <see cref="EvalRunner"/> sends for one eval-set row, through a Small deployment that captures it.</summary>
    private async Task<List<ChatMessage>> EvalSendsAsync(RoutedTask task, string row)
    {
        var client = new CapturingClient();
        var path = Path.Combine(_dir, "set.jsonl");
        await File.WriteAllTextAsync(path, row + "\n");
        var routing = new RoutedPromptsOptions();
        routing.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "scripted", Model = "small" }] };
        var run = await EvalRunner.RunAsync(task, path, new EvalRunOptions { Routing = routing, Providers = s => s.AddKeyedChatClient("scripted", client) });
        Assert.True(Assert.Single(run.Records).Answered);
        return client.Sent;
    }

    [Fact]
    public async Task The_eval_prompt_is_the_prompt_the_generated_method_sends()
    {
        var sent = await MethodSendsAsync(p => p.DescribeAsync(true, new DateTime(2026, 11, 29, 6, 30, 0), 2.50m, Tier.Large, null, 3, 0.001));
        var evalMessages = await EvalSendsAsync(Task, Row);

        Assert.Equal([typeof(bool), typeof(DateTime), typeof(decimal), typeof(Tier), typeof(string), typeof(int?), typeof(double)], Task.ParameterTypes);
        Assert.Equal(sent.Select(m => (m.Role, m.Text)), evalMessages.Select(m => (m.Role, m.Text)));
        // As JSON text the inputs would have read "true", "2026-11-29T06:30:00", "null" and "1e-3".
        Assert.Equal("Flag True, due 11/29/2026 06:30:00, amount 2.50, level Large, note '', count 3, ratio 0.001.", evalMessages[^1].Text);
    }

    [Fact]
    public async Task Eval_sends_the_method_s_messages_for_escaped_braces_and_a_parameter_used_twice()
    {
        var sent = await MethodSendsAsync(p => p.EdgesAsync("Ada", 2));
        var evalMessages = await EvalSendsAsync(TypedInputsPrompts.__RoutedPrompt_EdgesAsync, """{"inputs": {"name": "Ada", "count": 2}, "expected": "ok"}""");

        Assert.Equal(sent.Select(m => (m.Role, m.Text)), evalMessages.Select(m => (m.Role, m.Text)));
        Assert.Equal(
            new[] { (ChatRole.System, "Answer as {{\"json\": true}}; {name} is not a placeholder here."), (ChatRole.User, "{literal} Ada, again Ada; 2 item(s) }{ {Ada}") },
            evalMessages.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task Eval_refuses_a_descriptor_written_by_hand_before_any_request()
    {
        // The tool's own renderer read "{a{b}" as the placeholder "a{b" (the build reports it as an unmatched brace,
        // RP0108); without the generated builder there is no method whose messages an eval could send.
        var task = new RoutedTask<string>
        {
            Name = "Hand.Written", DeclaringType = "Hand", MethodName = "WrittenAsync", Tier = Tier.Small, Template = "{a{b}", Parameters = ["a{b"],
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EvalSendsAsync(task, """{"inputs": {"a{b": "x"}, "expected": "ok"}"""));

        Assert.StartsWith("Hand.Written cannot be evaluated: its descriptor has no generated message builder (RoutedTask.CreateMessages", error.Message, StringComparison.Ordinal);
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
    public async Task A_number_for_a_string_parameter_reads_as_its_text()
    {
        const string row = """{"inputs": {"words": 60, "ticket": "Hi"}, "expected": "ok"}""";
        var task = TypedInputsPrompts.__RoutedPrompt_ReplyAsync;

        var example = Assert.Single(EvalSet.Parse(row, "evals/reply.jsonl", task));

        Assert.Equal("60", example.Render("words"));
        Assert.Equal("Reply in 60 words to Hi", (await EvalSendsAsync(task, row))[^1].Text);
    }
}
