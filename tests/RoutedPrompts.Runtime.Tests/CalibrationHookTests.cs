using Microsoft.Extensions.AI;

namespace RoutedPrompts.Tests;

/// <summary>The two runtime hooks the eval tool needs: per-tier thresholds on the descriptor and recorded cost.</summary>
public sealed class CalibrationHookTests
{
    private static RoutedTask<string> WithTierThresholds(double? taskWide, params (Tier Tier, double Threshold)[] perTier)
    {
        var task = Tasks.Summary(confidenceThreshold: taskWide);
        return new RoutedTask<string>
        {
            Name = task.Name,
            DeclaringType = task.DeclaringType,
            MethodName = task.MethodName,
            Tier = task.Tier,
            MaxTier = task.MaxTier,
            Template = task.Template,
            Parameters = task.Parameters,
            ConfidenceThreshold = taskWide,
            TierConfidenceThresholds = perTier.ToDictionary(p => p.Tier, p => p.Threshold),
        };
    }

    [Fact]
    public async Task Each_tier_uses_its_own_calibrated_threshold()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("A", confidence: 0.85))
            .Reply(Harness.MediumModel, Reply.Text("B", confidence: 0.85));

        // Small needs 0.9 (0.85 fails), Medium needs 0.8 (0.85 passes); the task-wide 0.99 applies to neither.
        var routed = await h.Router.RouteAsync(WithTierThresholds(0.99, (Tier.Small, 0.9), (Tier.Medium, 0.8)), Tasks.Messages());

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(AttemptOutcome.LowConfidence, routed.Attempts[0].Outcome);
        Assert.Contains("0.9", routed.Attempts[0].Reason);
    }

    [Fact]
    public async Task A_tier_without_its_own_threshold_falls_back_to_the_task_wide_one()
    {
        using var h = Harness.Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("A", confidence: 0.95))
            .Reply(Harness.MediumModel, Reply.Text("B", confidence: 0.5))
            .Reply(Harness.LargeModel, Reply.Text("C", confidence: 0.75));

        var routed = await h.Router.RouteAsync(WithTierThresholds(0.7, (Tier.Small, 0.99)), Tasks.Messages());

        Assert.Equal([AttemptOutcome.LowConfidence, AttemptOutcome.LowConfidence, AttemptOutcome.Accepted], routed.Attempts.Select(a => a.Outcome));
        Assert.Contains("0.7", routed.Attempts[1].Reason);
    }

    [Fact]
    public async Task Configured_task_threshold_overrides_the_descriptors_per_tier_thresholds()
    {
        using var h = Harness.Create(o =>
        {
            Harness.DefaultTiers(o);
            o.Tasks["Support.Summary"] = new TaskOptions { ConfidenceThreshold = 0.5 };
        });
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text("A", confidence: 0.6));

        var routed = await h.Router.RouteAsync(WithTierThresholds(null, (Tier.Small, 0.9)), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Tier);
    }

    [Fact]
    public async Task Cost_comes_from_the_recorded_cost_only_when_the_deployment_has_no_prices()
    {
        using var h = Harness.Create(o =>
        {
            o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = Harness.SmallModel }] };
            o.Tiers["Medium"] = Harness.Tier(Harness.MediumModel, 2.5m, 10m);
        });
        ChatResponse Recorded(string text, double? confidence)
        {
            var response = Reply.Text(text, input: 1000, output: 100, confidence: confidence);
            response.AdditionalProperties ??= [];
            response.AdditionalProperties[RoutedPromptsResponseProperties.RecordedCostUsd] = 0.0042;
            return response;
        }

        h.OpenAi.Reply(Harness.SmallModel, Recorded("A", 0.1)).Reply(Harness.MediumModel, Recorded("B", 0.9));

        var routed = await h.Router.RouteAsync(Tasks.Summary(confidenceThreshold: 0.5), Tasks.Messages());

        Assert.Equal(0.0042m, routed.Attempts[0].CostUsd);                              // unpriced: the recorded cost
        Assert.Equal(((1000 * 2.5m) + (100 * 10m)) / 1_000_000m, routed.Attempts[1].CostUsd); // priced: prices win
    }

    [Fact]
    public async Task A_recorded_cost_of_any_documented_number_type_is_read()
    {
        using var h = Harness.Create(o => o.Tiers["Small"] = new TierOptions { Deployments = [new DeploymentOptions { Provider = "openai", Model = Harness.SmallModel }] });
        foreach (var recorded in new object[] { 0.0042m, 0.0042f, "0.0042" })
        {
            var response = Reply.Text("A");
            response.AdditionalProperties ??= [];
            response.AdditionalProperties[RoutedPromptsResponseProperties.RecordedCostUsd] = recorded;
            h.OpenAi.Reply(Harness.SmallModel, response);

            var routed = await h.Router.RouteAsync(Tasks.Summary(maxTier: Tier.Small), Tasks.Messages());

            Assert.Equal(0.0042, (double)routed.Attempts[0].CostUsd, 6);
        }
    }
}

/// <summary>Recordings whose <c>confidence</c> is a log-probability (negative values) reach the gate as 0..1.</summary>
public sealed class ReplayConfidenceScaleTests
{
    private static ReplayRecordingText Recording(params double[] confidences) => new(string.Join('\n', confidences.Select((c, i) =>
        "{\"id\":\"q" + i + "\",\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}],\"responses\":{\"m\":{\"text\":\"A\",\"confidence\":" + c.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}")));

    private sealed record ReplayRecordingText(string Text)
    {
        public Replay.ReplayRecording Load() => Replay.ReplayRecording.Load(new StringReader(Text), "test.jsonl");
    }

    [Fact]
    public async Task Negative_confidences_mark_the_recording_as_log_scale_and_replay_exponentiates_them()
    {
        var recording = Recording(-0.5, 0.0).Load();
        var client = new Replay.ReplayChatClient(recording);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q0")], new ChatOptions { ModelId = "m" });
        var certain = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q1")], new ChatOptions { ModelId = "m" });

        Assert.True(recording.ConfidenceIsLogProbability);
        Assert.Equal(Math.Exp(-0.5), (double)response.AdditionalProperties![RoutedPromptsResponseProperties.Confidence]!, 12);
        Assert.Equal(1.0, (double)certain.AdditionalProperties![RoutedPromptsResponseProperties.Confidence]!, 12);
    }

    [Fact]
    public async Task Probabilities_pass_through_unchanged()
    {
        var recording = Recording(0.25, 0.0).Load();
        var client = new Replay.ReplayChatClient(recording);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "q0")], new ChatOptions { ModelId = "m" });

        Assert.False(recording.ConfidenceIsLogProbability);
        Assert.Equal(0.25, (double)response.AdditionalProperties![RoutedPromptsResponseProperties.Confidence]!, 12);
    }
}
