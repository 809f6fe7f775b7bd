using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace RoutedPrompts;

/// <summary>The router's classifier step (after the routing rules, before the cascade): the one place a task's <see cref="PromptClassifier"/> decides where a request starts.</summary>
internal static class StartTierClassification
{
    /// <summary>
    /// Where the request starts once the task's classifier (if any) has read it. The classifier runs only when the
    /// request starts at the planned start tier (no rule raised it), that tier is the descriptor's (the baked lock start
    /// the classifier was trained for: configuration did not raise it), and below its maximum; a probability below the
    /// classifier's threshold starts it one tier higher (never above <paramref name="max"/>). A prediction is recorded as
    /// activity tags and a metric, and a raised start is logged (task, probability, tiers; never the prompt).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="planned">The plan's start tier.</param>
    /// <param name="start">The start tier after the rules.</param>
    /// <param name="max">The maximum tier after the rules.</param>
    /// <param name="activity">The route's activity, or <see langword="null"/>.</param>
    /// <param name="metrics">The router's instruments.</param>
    /// <param name="logger">The router's logger.</param>
    /// <returns>The start tier, the probability (<see langword="null"/> when the classifier did not run), and whether it raised the start.</returns>
    public static (Tier Start, double? Probability, bool Raised) Apply(
        RoutedTask task, IReadOnlyList<ChatMessage> messages, Tier planned, Tier start, Tier max, Activity? activity, RouterMetrics metrics, ILogger logger)
    {
        if (task.Classifier is not { } classifier || planned != task.Tier || start != planned || start >= max)
        {
            return (start, null, false);
        }

        var probability = classifier.Predict(messages);
        var raised = classifier.Raises(probability);
        var to = raised ? start + 1 : start;
        activity?.SetTag(RoutedPromptsTelemetry.ClassifierProbabilityTag, probability);
        activity?.SetTag(RoutedPromptsTelemetry.ClassifierRaisedTag, raised);
        metrics.ClassifierPredictions.Add(1, new(TelemetryTags.Task, task.Name), new(TelemetryTags.Raised, raised));
        if (raised)
        {
            RouterLog.ClassifierRaisedStart(logger, task.Name, probability, classifier.Threshold, TierNames.Name(start), TierNames.Name(to));
        }

        return (to, probability, raised);
    }
}
