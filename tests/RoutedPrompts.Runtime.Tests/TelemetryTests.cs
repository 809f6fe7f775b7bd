using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace RoutedPrompts.Tests;

public sealed class TelemetryTests
{
    private const string Prompt = "SECRET-PROMPT my card number is 4111";
    private const string BadAnswer = "SECRET-ANSWER not json";

    private static Harness Create(bool logContent = false) => Harness.Create(
        o =>
        {
            Harness.DefaultTiers(o);
            o.LogContent = logContent;
        },
        s =>
        {
            s.AddMetrics();
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
            s.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
        });

    private static void Script(Harness h)
    {
        h.OpenAi.Throw(Harness.SmallModel, new HttpRequestException("down", null, System.Net.HttpStatusCode.ServiceUnavailable));
        h.Azure.Reply(Harness.SmallModel, Reply.Text(BadAnswer, input: 10, output: 5));
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket, input: 1_000_000, output: 100_000));
    }

    [Fact]
    public async Task Metrics_are_emitted_per_request_attempt_escalation_cost_and_tokens()
    {
        using var h = Create();
        var factory = h.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.RequestsInstrument);
        using var attempts = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.AttemptsInstrument);
        using var escalations = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.EscalationsInstrument);
        using var cost = new MetricCollector<double>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.CostInstrument);
        using var tokens = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.TokensInstrument);
        using var duration = new MetricCollector<double>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.AttemptDurationInstrument);
        Script(h);

        await h.Router.RouteAsync(Tasks.Triage(), [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, Prompt)]);

        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(1, request.Value);
        Assert.Equal("Support.Triage", request.Tags["task"]);
        Assert.Equal("succeeded", request.Tags["outcome"]);
        Assert.Equal("Medium", request.Tags["tier"]);

        Assert.Equal(
            ["Small/openai/ProviderError", "Small/azure/InvalidJson", "Medium/openai/Accepted"],
            attempts.GetMeasurementSnapshot().Select(m => $"{m.Tags["tier"]}/{m.Tags["provider"]}/{m.Tags["outcome"]}"));
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.NotNull(m.Tags["model"]));

        var escalation = Assert.Single(escalations.GetMeasurementSnapshot());
        Assert.Equal("Small", escalation.Tags["from"]);
        Assert.Equal("Medium", escalation.Tags["to"]);
        Assert.Equal("InvalidJson", escalation.Tags["reason"]);

        Assert.Equal(3.5, cost.GetMeasurementSnapshot().Sum(m => m.Value), 6); // 1M * 2.5 + 100k * 10 per million
        Assert.Equal(1_100_015, tokens.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(tokens.GetMeasurementSnapshot(), m => (string?)m.Tags["type"] == "output" && m.Value == 100_000);
        Assert.Equal(3, duration.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task Failed_requests_are_counted()
    {
        using var h = Create();
        var factory = h.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(factory, RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.RequestsInstrument);
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(""));

        await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small), Tasks.Messages()).AsTask());

        Assert.Equal("failed", Assert.Single(requests.GetMeasurementSnapshot()).Tags["outcome"]);
    }

    [Fact]
    public async Task Logs_name_escalations_and_provider_errors_without_prompt_or_answer_text()
    {
        using var h = Create();
        Script(h);

        await h.Router.RouteAsync(Tasks.Triage(), [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, Prompt)]);

        var logs = h.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Id.Name == "ProviderError" && r.Message.Contains("openai/small-model") && r.Message.Contains("HTTP 503"));
        Assert.Contains(logs, r => r.Id.Name == "Escalation" && r.Message.Contains("InvalidJson from tier Small (azure/small-model); escalating to tier Medium"));
        Assert.DoesNotContain(logs, r => r.Id.Name == "RejectedAnswer");
        foreach (var record in logs)
        {
            var all = record.Message + string.Join(";", record.StructuredState ?? []);
            Assert.DoesNotContain("SECRET", all);
            Assert.DoesNotContain("4111", all);
        }
    }

    [Fact]
    public async Task Exhaustion_is_logged()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(BadAnswer));

        await Assert.ThrowsAsync<RoutingException>(() => h.Router.RouteAsync(Tasks.Triage(maxTier: Tier.Small), Tasks.Messages(Prompt)).AsTask());

        var record = Assert.Single(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "Exhausted");
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("Support.Triage got no acceptable answer after 1 attempt(s)", record.Message);
        Assert.DoesNotContain("SECRET", record.Message);
    }

    [Fact]
    public async Task Answer_text_is_logged_only_when_LogContent_is_on()
    {
        using var h = Create(logContent: true);
        Script(h);

        await h.Router.RouteAsync(Tasks.Triage(), Tasks.Messages());

        var rejected = Assert.Single(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "RejectedAnswer");
        Assert.Contains(BadAnswer, rejected.Message);
    }

    [Fact]
    public async Task Activities_per_request_and_attempt_carry_no_prompt_text()
    {
        using var activities = new RecordedActivities();
        using var h = Create();
        Script(h);

        await h.Router.RouteAsync(Tasks.Triage("Telemetry.Activities"), Tasks.Messages(Prompt));

        var mine = activities.Of("Telemetry.Activities");

        var route = Assert.Single(mine, a => a.OperationName == "RoutedPrompts.Route");
        Assert.Equal("Medium", route.GetTagItem("tier"));
        Assert.Equal("succeeded", route.GetTagItem("outcome"));
        var attempts = mine.Where(a => a.OperationName == "RoutedPrompts.Attempt").ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(route.SpanId, a.ParentSpanId));
        Assert.Equal(["ProviderError", "InvalidJson", "Accepted"], attempts.Select(a => (string?)a.GetTagItem("outcome")));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.All(mine, a => Assert.DoesNotContain(a.TagObjects, t => t.Value?.ToString()?.Contains("SECRET") == true));
    }
}
