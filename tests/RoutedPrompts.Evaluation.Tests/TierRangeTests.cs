namespace RoutedPrompts.Evaluation.Tests;

/// <summary>eval evaluates the tiers the router can reach (one range rule, <c>TierRange.Reachable</c>), configuration included.</summary>
public sealed class TierRangeTests
{
    private static EvalRunOptions Options(TaskOptions task)
    {
        var routing = new RoutedPromptsOptions();
        foreach (var tier in new[] { "Small", "Medium", "Large" })
        {
            routing.Tiers[tier] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "p", Model = tier.ToLowerInvariant() }] };
        }

        routing.Tasks["Support.Reply"] = task;
        return new EvalRunOptions { Routing = routing, Providers = _ => { } };
    }

    [Theory]
    [InlineData(Tier.Large, Tier.Medium, new[] { Tier.Medium })] // a raised start past a lowered cap: the cap (as the router, RP0010 and the lock baking decide)
    [InlineData(null, Tier.Small, new[] { Tier.Small })] // a lowered cap: eval used to evaluate Medium and Large, which requests never reach
    [InlineData(Tier.Medium, null, new[] { Tier.Medium, Tier.Large })] // a raised start
    public void Eval_evaluates_the_tiers_the_router_can_reach(Tier? start, Tier? max, Tier[] expected)
    {
        var deployments = EvalRunner.Deployments(TestTasks.Text(), Options(new TaskOptions { Tier = start, MaxTier = max }));

        Assert.Equal(expected, deployments.Select(d => d.Tier));
    }
}
