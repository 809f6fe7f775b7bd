using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>
/// The OpenAI chat client of Microsoft.Extensions.AI honours <see cref="ChatOptions.ModelId"/> per request, so one
/// client registered as the README shows serves every deployment of the provider; <see cref="ModelSelectingChatClient"/>
/// remains for SDKs whose clients are bound to one model.
/// </summary>
public sealed class OpenAIModelIdTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_openai_client_sends_each_deployments_model_on_the_wire()
    {
        await using var server = await OpenAITestServer.StartAsync();
        var openAi = new OpenAIClient(new ApiKeyCredential(server.ApiKey), new OpenAIClientOptions { Endpoint = server.Endpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", openAi.GetChatClient("gpt-created-for-another-model").AsIChatClient());
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "small-deployment" }] };
            o.Tiers["Medium"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = "medium-deployment" }] };
        });
        await using var provider = services.BuildServiceProvider();
        server.Answer = r => new ServerAnswer(r.Model == "small-deployment" ? "not json" : Reply.GoodTicket);

        var routed = await provider.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Triage(maxTier: Tier.Medium), Tasks.Messages()).AsTask().WaitAsync(Bound);

        Assert.Equal(["small-deployment", "medium-deployment"], server.Requests.Select(r => r.Model));
        Assert.Equal([AttemptOutcome.InvalidJson, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Equal(new Ticket("bug", 2), routed.Value);
    }

    [Fact]
    public async Task ModelSelectingChatClient_creates_one_client_per_model_and_forwards_to_it()
    {
        var log = new List<ScriptedCall>();
        var created = new List<string>();
        using var selecting = new ModelSelectingChatClient(model =>
        {
            created.Add(model);
            return new ScriptedChatClient("bound-" + model, log).Reply(model, Reply.Text("1")).Reply(model, Reply.Text("2"));
        });

        await selecting.GetResponseAsync("q", new ChatOptions { ModelId = "a" });
        await selecting.GetResponseAsync("q", new ChatOptions { ModelId = "b" });
        await selecting.GetResponseAsync("q", new ChatOptions { ModelId = "a" });

        Assert.Equal(["a", "b"], created);
        Assert.Equal(["bound-a", "bound-b", "bound-a"], log.Select(c => c.Provider));
        await Assert.ThrowsAsync<InvalidOperationException>(() => selecting.GetResponseAsync("q", new ChatOptions()));
    }
}
