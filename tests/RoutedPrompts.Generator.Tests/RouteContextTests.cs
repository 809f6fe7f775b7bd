using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Generator.Tests.Fixtures;
using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// A routed method's <c>RouteContext</c> parameter: the generated body hands it (and the rendered arguments, in
/// <see cref="RoutedTask.Parameters"/> order) to the router, and never renders it into the prompt.
/// </summary>
public sealed class RouteContextTests
{
    /// <summary>A RouteContext first, in the middle, last (optional, escaped name), alone, and none (also the <c>Route_context_parameters</c> snapshot).</summary>
    internal const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using RoutedPrompts;

        namespace App;

        public sealed partial class ContextPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "Classify {ticket} for {customer}.")]
            public partial Task<string> FirstAsync(RouteContext context, string ticket, string customer);

            [RoutedPrompt(Tier.Small, Prompt = "Classify {customer}: {ticket}.")]
            public partial Task<string> MiddleAsync(string ticket, RouteContext? context, string customer, CancellationToken cancellationToken);

            [RoutedPrompt(Tier.Small, Prompt = "Classify {ticket}, {count} times.")]
            public partial ValueTask<Routed<string>> LastAsync(string ticket, int count, CancellationToken ct = default, RouteContext? @event = null);

            [RoutedPrompt(Tier.Small, Prompt = "Say hello.")]
            public partial Task<string> OnlyContextAsync(RouteContext? context = null);

            [RoutedPrompt(Tier.Small, Prompt = "Classify {ticket}.")]
            public partial Task<string> NoContextAsync(string ticket);
        }
        """;

    [Fact]
    public void The_generated_body_passes_the_context_and_the_rendered_arguments_to_the_router()
    {
        var calls = RouteAsyncCalls(Source);

        // The five-argument overload: task, messages, context, arguments, cancellation token.
        Assert.All(calls.Values, c => Assert.Equal(["task", "messages", "context", "arguments", "cancellationToken"], c.TargetMethod.Parameters.Select(p => p.Name)));
        Assert.Equal(("context", "ticket, customer", "default"), Passed(calls["FirstAsync"]));
        Assert.Equal(("context", "ticket, customer", "cancellationToken"), Passed(calls["MiddleAsync"])); // Parameters order is declaration order, not template order
        Assert.Equal(("event", "ticket, count", "ct"), Passed(calls["LastAsync"]));
        Assert.Equal(("context", "", "default"), Passed(calls["OnlyContextAsync"]));
        Assert.Equal((null, "ticket", "default"), Passed(calls["NoContextAsync"]));
    }

    [Fact]
    public void A_method_with_two_route_contexts_is_not_routed()
    {
        var source = Source.Replace("string ticket, string customer);", "string ticket, string customer, RouteContext second);", StringComparison.Ordinal);
        Assert.NotEqual(Source, source);

        var calls = RouteAsyncCalls(source);

        // RP0127 (reported by the analyzers) leaves a throwing stub, as every error does; the other methods are routed.
        Assert.DoesNotContain("FirstAsync", calls.Keys);
        Assert.Contains("MiddleAsync", calls.Keys);
    }

    [Fact]
    public async Task A_method_with_a_route_context_routes_its_arguments_and_does_not_render_the_context()
    {
        var client = new RecordingChatClient();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", client);
        services.AddRoutedPrompts(options =>
        {
            foreach (var tier in new[] { "Small", "Medium", "Large" })
            {
                options.Tiers[tier] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = tier.ToLowerInvariant() + "-model" }] };
            }
        });
        await using var provider = services.BuildServiceProvider();
        var context = new RouteContext { Feature = "checkout-feature", UserTier = "free-tier", Tenant = "tenant-42", Tags = ["beta-tag"] };

        var routed = await new FixturePrompts(provider.GetRequiredService<PromptRouter>()).TriageAsync("printer on fire", context, 2);

        Assert.Equal("handled", routed.Value);
        var sent = Assert.Single(client.Requests);
        Assert.Equal([(ChatRole.System, "Triage tickets."), (ChatRole.User, "Ticket: printer on fire (priority 2)")], sent.Select(m => (m.Role, m.Text)));
        Assert.DoesNotContain(sent, m => new[] { "checkout-feature", "free-tier", "tenant-42", "beta-tag" }.Any(v => m.Text.Contains(v, StringComparison.Ordinal)));

        // The descriptor the eval tool uses renders the same messages from the same arguments, without the context.
        var task = FixturePrompts.__RoutedPrompt_TriageAsync;
        Assert.Equal(["ticket", "priority"], task.Parameters);
        Assert.Equal([typeof(string), typeof(int)], task.ParameterTypes);
        Assert.Equal(sent.Select(m => (m.Role, m.Text)), task.CreateMessages!(["printer on fire", 2]).Select(m => (m.Role, m.Text)));
    }

    /// <summary>Each generated method's call of <c>PromptRouter.RouteAsync</c>, bound, by method name.</summary>
    private static Dictionary<string, IInvocationOperation> RouteAsyncCalls(string source)
    {
        var (result, _, trees) = GeneratorDriverHelper.Run([source]);
        Assert.Null(result.Exception);
        var compilation = GeneratorDriverHelper.Compile([source]).AddSyntaxTrees(trees);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("App.ContextPrompts.RoutedPrompts.g.cs", StringComparison.Ordinal));
        var model = compilation.GetSemanticModel(tree);
        return tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Select(i => model.GetOperation(i))
            .OfType<IInvocationOperation>()
            .Where(o => o.TargetMethod.Name == "RouteAsync")
            .ToDictionary(o => model.GetEnclosingSymbol(o.Syntax.SpanStart)!.Name);
    }

    /// <summary>What a call passes as context (a parameter's name or null), as arguments (parameters' names, comma-separated) and as cancellation token.</summary>
    private static (string? Context, string Arguments, string Token) Passed(IInvocationOperation call)
    {
        IOperation Argument(string name) => Unwrap(call.Arguments.Single(a => a.Parameter!.Name == name).Value);
        var context = Argument("context") switch
        {
            IParameterReferenceOperation p => p.Parameter.Name,
            ILiteralOperation { ConstantValue: { HasValue: true, Value: null } } => null,
            var other => throw new InvalidOperationException("context: " + other.Syntax),
        };
        var arguments = Argument("arguments") switch
        {
            IArrayCreationOperation array => array.Initializer!.ElementValues.Select(e => ((IParameterReferenceOperation)Unwrap(e)).Parameter.Name).ToArray(),
            IInvocationOperation { TargetMethod.Name: "Empty" } => Array.Empty<string>(),
            var other => throw new InvalidOperationException("arguments: " + other.Syntax),
        };
        var token = Argument("cancellationToken") switch
        {
            IParameterReferenceOperation p => p.Parameter.Name,
            IDefaultValueOperation => "default",
            var other => throw new InvalidOperationException("cancellationToken: " + other.Syntax),
        };
        return (context, string.Join(", ", arguments), token);
    }

    private static IOperation Unwrap(IOperation operation) => operation is IConversionOperation conversion ? Unwrap(conversion.Operand) : operation;

    /// <summary>Answers every request with "handled" and records the messages it was sent.</summary>
    private sealed class RecordingChatClient : IChatClient
    {
        public List<ChatMessage[]> Requests { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests.Add(messages.ToArray());
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "handled"))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 2 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
