using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>Eval tries every deployment through one router: one set of services, one validator, each deployment's own tier.</summary>
public sealed class EvalRouterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-eval-router-").FullName;

    public EvalRouterTests() => File.WriteAllText(Path.Combine(_dir, "reply.jsonl"), "{\"inputs\": {\"ticket\": \"t\"}, \"expected\": \"x\"}\n");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task One_validator_instance_checks_every_deployments_answer_with_its_tier()
    {
        var routing = new RoutedPromptsOptions();
        routing.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "p", Model = "s1" }, new DeploymentOptions { Provider = "p", Model = "s2" }] };
        routing.Tiers["Medium"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "p", Model = "m1" }] };
        var task = new RoutedTask<string>
        {
            Name = "Support.Reply", DeclaringType = "Support", MethodName = "ReplyAsync", Tier = Tier.Small, MaxTier = Tier.Medium,
            Template = "Reply to {ticket}", Parameters = ["ticket"], ParameterTypes = [typeof(string)],
            CreateMessages = arguments => [new ChatMessage(ChatRole.User, "Reply to " + arguments[0])], ValidatorType = typeof(RejectsS2),
        };

        var run = await EvalRunner.RunAsync(task, Path.Combine(_dir, "reply.jsonl"), new EvalRunOptions
        {
            Routing = routing,
            Providers = services => services.AddKeyedChatClient("p", new Answering()),
            MaxConcurrency = 1,
        });

        Assert.Equal(1, RejectsS2.Created); // old: one per deployment's router
        Assert.Equal([(Tier.Small, "s1"), (Tier.Small, "s2"), (Tier.Medium, "m1")], RejectsS2.Seen.OrderBy(s => s.Tier).ThenBy(s => s.Model, StringComparer.Ordinal));
        Assert.Equal(
            [("s1", AttemptOutcome.Accepted), ("s2", AttemptOutcome.ValidatorRejected), ("m1", AttemptOutcome.Accepted)],
            run.Records.Select(r => (r.Model, r.Outcome)));
        Assert.Equal("RejectsS2: not s2", run.Records[1].Reason);
    }

    public sealed class RejectsS2 : IResultValidator<string>
    {
        public RejectsS2() => Interlocked.Increment(ref _created);

        private static int _created;

        public static int Created => _created;

        public static ConcurrentBag<(Tier Tier, string Model)> Seen { get; } = [];

        public ValueTask<ResultValidation> ValidateAsync(string result, ValidationContext context, CancellationToken cancellationToken)
        {
            Seen.Add((context.Tier, context.Deployment.Model));
            return ValueTask.FromResult(context.Deployment.Model == "s2" ? ResultValidation.Invalid("not s2") : ResultValidation.Valid);
        }
    }

    private sealed class Answering : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
