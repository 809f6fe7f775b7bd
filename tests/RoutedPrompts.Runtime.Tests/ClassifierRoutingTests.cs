using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace RoutedPrompts.Tests;

public sealed class ClassifierRoutingTests
{
    private const string Prompt = "SECRET-PROMPT prove the theorem";

    /// <summary>A classifier that gives every request the probability sigmoid(<paramref name="bias"/>).</summary>
    private static PromptClassifier Constant(double bias, double threshold = 0.5) =>
        new(PromptClassifier.CurrentFeaturesVersion, 18, bias, [], [], new double[5], new double[5], [1, 1, 1, 1, 1], threshold);

    private static RoutedTask<Ticket> Task(PromptClassifier? classifier, Tier tier = Tier.Small, Tier maxTier = Tier.Large, string name = "Classifier.Triage")
    {
        var task = Tasks.Triage(name, tier, maxTier);
        return new RoutedTask<Ticket>
        {
            Name = task.Name, DeclaringType = task.DeclaringType, MethodName = task.MethodName, Tier = task.Tier, MaxTier = task.MaxTier,
            Instructions = task.Instructions, Template = task.Template, Parameters = task.Parameters, SchemaJson = task.SchemaJson,
            JsonTypeInfo = task.JsonTypeInfo, Classifier = classifier,
        };
    }

    private static Harness Create() => Harness.Create(Harness.DefaultTiers, s =>
    {
        s.AddMetrics();
        s.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        s.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
    });

    [Fact]
    public async Task A_classifier_below_its_threshold_raises_the_start_one_tier_and_records_it_everywhere()
    {
        using var recorder = new RecordedActivities();
        using var h = Create();
        using var predictions = new MetricCollector<long>(h.Services.GetRequiredService<IMeterFactory>(), RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.ClassifierPredictionsInstrument);
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Task(Constant(-5), name: "Classifier.Raised"), Tasks.Messages(Prompt));

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.All(routed.Attempts, a => Assert.Equal(Tier.Medium, a.Tier)); // the cheap attempt was skipped
        var route = routed.Route!;
        Assert.Equal(Tier.Small, route.PlannedStart);
        Assert.Equal(Tier.Medium, route.Start);
        Assert.Equal(Tier.Large, route.Max);
        Assert.True(route.ClassifierRaisedStart);
        Assert.Equal(1 / (1 + Math.Exp(5)), route.ClassifierProbability!.Value, 12);

        var routeActivity = Assert.Single(recorder.Stopped, a => a.OperationName == "RoutedPrompts.Route" && (string?)a.GetTagItem("task") == "Classifier.Raised");

        Assert.Equal(true, routeActivity.GetTagItem(RoutedPromptsTelemetry.ClassifierRaisedTag));
        Assert.Equal(route.ClassifierProbability, (double?)routeActivity.GetTagItem(RoutedPromptsTelemetry.ClassifierProbabilityTag));

        var prediction = Assert.Single(predictions.GetMeasurementSnapshot());
        Assert.Equal("Classifier.Raised", prediction.Tags["task"]);
        Assert.Equal(true, prediction.Tags["raised"]);

        var log = Assert.Single(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "ClassifierRaisedStart");
        Assert.Equal(LogLevel.Information, log.Level);
        Assert.Contains("Classifier.Raised", log.Message, StringComparison.Ordinal);
        Assert.Contains("starting at tier Medium instead of Small", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_classifier_at_or_above_its_threshold_leaves_the_start_where_it_was()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Task(Constant(5)), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Tier);
        Assert.Equal(Tier.Small, routed.Route!.Start);
        Assert.False(routed.Route.ClassifierRaisedStart);
        Assert.Equal(1 / (1 + Math.Exp(-5)), routed.Route.ClassifierProbability!.Value, 12);
        Assert.DoesNotContain(h.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "ClassifierRaisedStart");
    }

    [Fact]
    public async Task A_classifier_never_raises_the_start_above_the_maximum_tier()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Task(Constant(-5), Tier.Medium, Tier.Medium), Tasks.Messages());

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(Tier.Medium, routed.Route!.Start);
        Assert.Null(routed.Route.ClassifierProbability); // nothing to skip to: no prediction
        Assert.False(routed.Route.ClassifierRaisedStart);
    }

    [Fact]
    public async Task A_classifier_is_not_asked_when_configuration_raised_the_start_above_the_tier_it_was_trained_for()
    {
        // The classifier predicts the baked start tier's answer (Small); configuration starting the task at Medium makes
        // that prediction meaningless, so it must not move the request again (to Large).
        var task = Task(Constant(-5), name: "Classifier.Configured");
        using var h = Harness.Create(
            o =>
            {
                Harness.DefaultTiers(o);
                o.Tasks[task.Name] = new TaskOptions { Tier = Tier.Medium };
            },
            catalog: [task]);
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(task, Tasks.Messages());

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(Tier.Medium, routed.Route!.Start);
        Assert.Null(routed.Route.ClassifierProbability);
        Assert.False(routed.Route.ClassifierRaisedStart);
    }

    [Fact]
    public async Task A_task_without_a_classifier_gets_no_prediction()
    {
        using var h = Create();
        using var predictions = new MetricCollector<long>(h.Services.GetRequiredService<IMeterFactory>(), RoutedPromptsTelemetry.SourceName, RoutedPromptsTelemetry.ClassifierPredictionsInstrument);
        h.OpenAi.Reply(Harness.SmallModel, Reply.Text(Reply.GoodTicket));

        var routed = await h.Router.RouteAsync(Task(null), Tasks.Messages());

        Assert.Equal(Tier.Small, routed.Route!.Start);
        Assert.Null(routed.Route.ClassifierProbability);
        Assert.False(routed.Route.ClassifierRaisedStart);
        Assert.Empty(predictions.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task A_failed_request_carries_its_route_too()
    {
        using var h = Create();
        h.OpenAi.Reply(Harness.MediumModel, Reply.Text("not json"));
        h.Azure.Reply(Harness.MediumModel, Reply.Text("not json"));
        h.OpenAi.Reply(Harness.LargeModel, Reply.Text("not json"));
        h.Azure.Reply(Harness.LargeModel, Reply.Text("not json"));

        var error = await Assert.ThrowsAsync<RoutingException>(async () => await h.Router.RouteAsync(Task(Constant(-5)), Tasks.Messages()));

        Assert.True(error.Route!.ClassifierRaisedStart);
        Assert.Equal(Tier.Medium, error.Route.Start);
    }

    [Fact]
    public void The_prediction_reads_the_user_messages_only_and_is_the_same_every_time()
    {
        var probe = new PromptFeaturesProbe("prove the theorem rigorously");
        var classifier = new PromptClassifier(
            PromptClassifier.CurrentFeaturesVersion, 18, 0.1, probe.Buckets, probe.Buckets.Select(_ => -1.0).ToArray(), [0.5, 0, 0, 0, 0], [3, 0, 0, 0, 0], [1, 1, 1, 1, 1], 0.5);
        IReadOnlyList<ChatMessage> hard = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "prove the theorem rigorously")];
        IReadOnlyList<ChatMessage> otherSystem = [new(ChatRole.System, "Something else entirely."), new(ChatRole.User, "prove the theorem rigorously")];
        IReadOnlyList<ChatMessage> easy = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "spell cat")];

        var p = classifier.Predict(hard);

        Assert.Equal(p, classifier.Predict(hard));
        Assert.Equal(p, classifier.Predict(otherSystem));
        Assert.True(p < classifier.Predict(easy));
        Assert.True(classifier.Raises(p));
    }

    [Fact]
    public void Invalid_weights_are_refused_naming_the_parameter()
    {
        var wrongVersion = Assert.Throws<ArgumentException>(() => new PromptClassifier(99, 18, 0, [], [], new double[5], new double[5], [1, 1, 1, 1, 1], 0.5));
        Assert.Equal("featuresVersion", wrongVersion.ParamName);
        Assert.Contains("recalibrate", wrongVersion.Message, StringComparison.Ordinal);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => new PromptClassifier(1, 18, 0, [5, 3], [1, 1], new double[5], new double[5], [1, 1, 1, 1, 1], 0.5)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new PromptClassifier(1, 18, 0, [5], [], new double[5], new double[5], [1, 1, 1, 1, 1], 0.5)).ParamName);
        Assert.Equal("lengthScales", Assert.Throws<ArgumentException>(() => new PromptClassifier(1, 18, 0, [], [], new double[5], new double[5], [1, 0, 1, 1, 1], 0.5)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentException>(() => new PromptClassifier(1, 18, 0, [], [], new double[5], new double[5], [1, 1, 1, 1, 1], 1.5)).ParamName);
        Assert.Equal("bucketBits", Assert.Throws<ArgumentException>(() => new PromptClassifier(1, 40, 0, [], [], new double[5], new double[5], [1, 1, 1, 1, 1], 0.5)).ParamName);
    }

    [Fact]
    public void The_features_use_a_stable_hash_and_the_documented_length_features()
    {
        IReadOnlyList<ChatMessage> messages = [new(ChatRole.System, "ignored"), new(ChatRole.User, "Hi  there 42\n```x;```")];
        var buckets = new int[PromptFeatures.Capacity(messages)];
        var values = new double[buckets.Length];
        var length = new double[5];

        var count = PromptFeatures.Extract(messages, 10, buckets, values, length);

        // Golden buckets: FNV-1a, never string.GetHashCode, so the same in every process and on every platform.
        Assert.Equal([18, 21, 30, 40, 43], buckets[..5]);
        Assert.True(count > 20 && buckets[..count].SequenceEqual(buckets[..count].Distinct().Order()), "ascending and distinct");
        Assert.Equal(1.0, values[..count].Sum(v => v * v), 12); // L2-normalised
        Assert.Equal([Math.Log(1 + 21), Math.Log(1 + 4), Math.Log(1 + 2), 2.0 / 21, 1], length);
    }

    /// <summary>The buckets the featurizer gives a text (what training reads).</summary>
    private sealed class PromptFeaturesProbe
    {
        public PromptFeaturesProbe(string text)
        {
            IReadOnlyList<ChatMessage> messages = [new(ChatRole.User, text)];
            var capacity = PromptFeatures.Capacity(messages);
            var buckets = new int[capacity];
            var values = new double[capacity];
            var count = PromptFeatures.Extract(messages, 18, buckets, values, new double[5]);
            Buckets = buckets[..count];
        }

        public int[] Buckets { get; }
    }
}
