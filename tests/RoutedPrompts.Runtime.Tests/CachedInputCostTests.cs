using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RoutedPrompts.Testing;

namespace RoutedPrompts.Tests;

/// <summary>Cached input tokens (prompt caching) are priced at the deployment's cached-input price, by default its input price.</summary>
public sealed class CachedInputCostTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static ChatResponse Cached(long input, long cached, long output) => new(new ChatMessage(ChatRole.Assistant, Reply.GoodTicket))
    {
        FinishReason = ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = input, CachedInputTokenCount = cached, OutputTokenCount = output },
    };

    private static Harness Create(decimal? cachedPrice) => Harness.Create(o =>
    {
        Harness.DefaultTiers(o);
        o.Tiers["Small"].Deployments[0] = new DeploymentOptions
        {
            Provider = "openai", Model = Harness.SmallModel, InputUsdPerMillionTokens = 2.5m, CachedInputUsdPerMillionTokens = cachedPrice, OutputUsdPerMillionTokens = 10m,
        };
    });

    [Fact]
    public async Task Cached_input_tokens_are_charged_at_the_cached_price()
    {
        using var h = Create(cachedPrice: 1.25m);
        h.OpenAi.Reply(Harness.SmallModel, Cached(input: 1_000_000, cached: 800_000, output: 100_000));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        // 200k uncached at 2.5 + 800k cached at 1.25 + 100k output at 10, per million.
        Assert.Equal(0.5m + 1.0m + 1.0m, routed.CostUsd);
        Assert.Equal(1_000_000, routed.InputTokens);
    }

    [Fact]
    public async Task Without_a_cached_price_cached_tokens_cost_the_input_price()
    {
        using var h = Create(cachedPrice: null);
        h.OpenAi.Reply(Harness.SmallModel, Cached(input: 1_000_000, cached: 800_000, output: 0));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        Assert.Equal(2.5m, routed.CostUsd);
    }

    [Fact]
    public async Task Cached_input_tokens_without_an_input_count_are_priced_as_the_input_known()
    {
        using var h = Create(cachedPrice: 1.25m);
        h.OpenAi.Reply(Harness.SmallModel, new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply.GoodTicket))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { CachedInputTokenCount = 800_000, OutputTokenCount = 100_000 },
        });

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        // Not malformed: the cached tokens are the input known, at the cached price; 100k output at 10.
        Assert.Equal((AttemptOutcome.Accepted, "openai"), (routed.Answer.Outcome, routed.Deployment.Provider));
        Assert.Equal(1.0m + 1.0m, routed.CostUsd);
        Assert.Equal(800_000, routed.InputTokens);
    }

    [Fact]
    public async Task More_cached_than_input_tokens_is_a_malformed_response()
    {
        using var h = Create(cachedPrice: 0m);
        h.OpenAi.Reply(Harness.SmallModel, Cached(input: 10, cached: 11, output: 1));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        var rejected = routed.Attempts[0];
        Assert.Equal((AttemptOutcome.ProviderError, ProviderFailureKind.MalformedResponse), (rejected.Outcome, rejected.Failure));
        Assert.Contains("cached input tokens", rejected.Reason);
        Assert.Equal("azure", routed.Deployment.Provider);
    }

    [Fact]
    public void A_negative_cached_price_fails_validation_naming_the_key()
    {
        using var h = Create(cachedPrice: -1m);

        var error = Assert.Throws<OptionsValidationException>(() => h.Router);

        Assert.Contains("RoutedPrompts:Tiers:Small:Deployments:0:CachedInputUsdPerMillionTokens is -1", error.Message);
    }

    [Fact]
    public async Task The_openai_sdks_cached_tokens_reach_the_cost()
    {
        await using var h = await HttpHarness.StartAsync(o =>
        {
            var small = o.Tiers["Small"].Deployments[0];
            small.InputUsdPerMillionTokens = 2.5m;
            small.CachedInputUsdPerMillionTokens = 1.25m;
            small.OutputUsdPerMillionTokens = 10m;
        });
        h.Server.Answer = _ => ServerAnswer.Raw(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"small-a\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"cached\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
            "\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":100000,\"total_tokens\":1100000,\"prompt_tokens_details\":{\"cached_tokens\":800000}}}");

        var routed = await h.AskAsync("cache me").AsTask().WaitAsync(Bound);

        Assert.Equal("cached", routed.Value);
        Assert.Equal(2.5m, routed.CostUsd);
    }
}
