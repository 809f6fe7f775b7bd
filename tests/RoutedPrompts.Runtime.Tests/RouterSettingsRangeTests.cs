namespace RoutedPrompts.Tests;

/// <summary>The router's range is the one range rule (<c>TierRange.Reachable</c>) the analyzers, the lock baking and eval use.</summary>
public sealed class RouterSettingsRangeTests
{
    private static (Tier Start, Tier Max) Range(RoutedTask task, TaskOptions? configured)
    {
        var options = new RoutedPromptsOptions();
        if (configured is not null)
        {
            options.Tasks[task.Name] = configured;
        }

        return RouterSettings.Build(options).Range(task);
    }

    [Fact]
    public void A_configured_start_past_a_configured_cap_stops_at_the_cap()
    {
        // The router used to start at Large here, above the cap; RP0010 now looks at Medium and eval evaluates Medium, as this does.
        Assert.Equal((Tier.Medium, Tier.Medium), Range(Tasks.Triage(), new TaskOptions { Tier = Tier.Large, MaxTier = Tier.Medium }));
    }

    [Fact]
    public void Configuration_raises_the_start_and_lowers_the_cap_but_never_below_the_codes_start()
    {
        Assert.Equal((Tier.Medium, Tier.Large), Range(Tasks.Triage(), new TaskOptions { Tier = Tier.Medium }));
        Assert.Equal((Tier.Small, Tier.Medium), Range(Tasks.Triage(), new TaskOptions { MaxTier = Tier.Medium }));
        Assert.Equal((Tier.Medium, Tier.Medium), Range(Tasks.Triage(tier: Tier.Medium), new TaskOptions { Tier = Tier.Small, MaxTier = Tier.Small }));
    }

    [Fact]
    public void A_descriptor_tier_outside_the_table_is_held_to_it()
    {
        // A hand-built descriptor can carry (Tier)5, which RP0123 rejects in generated code: the analyzers clamped it, the router did not.
        Assert.Equal((Tier.Large, Tier.Large), Range(Tasks.Triage(tier: (Tier)5), null));
    }
}
