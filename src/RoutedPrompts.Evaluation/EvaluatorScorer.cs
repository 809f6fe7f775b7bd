using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace RoutedPrompts.Evaluation;

/// <summary>The eval example's expected answer, passed to an <see cref="IEvaluator"/> as context.</summary>
/// <param name="expected">The expected answer's text.</param>
public sealed class ExpectedAnswerContext(string expected) : EvaluationContext(ContextName, expected)
{
    /// <summary>The context's name.</summary>
    public const string ContextName = "Expected answer";
}

/// <summary>
/// Scores text answers with a Microsoft.Extensions.AI.Evaluation <see cref="IEvaluator"/> (for example an equivalence
/// judge run on the large tier): the answer is correct when the named metric is a true <see cref="BooleanMetric"/> or a
/// <see cref="NumericMetric"/> at or above <c>minimum</c>.
/// </summary>
/// <param name="evaluator">The evaluator.</param>
/// <param name="metricName">The metric that decides correctness.</param>
/// <param name="judge">The chat configuration the evaluator uses (its judge model), or <see langword="null"/>.</param>
/// <param name="minimum">The lowest passing value of a numeric metric (e.g. 4 on a 1–5 scale).</param>
public sealed class EvaluatorScorer(IEvaluator evaluator, string metricName, ChatConfiguration? judge = null, double minimum = 4) : IEvalScorer<string>
{
    /// <inheritdoc />
    public async ValueTask<EvalScore> ScoreAsync(string actual, EvalExample example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(example);
        var expected = example.Expected.ValueKind == System.Text.Json.JsonValueKind.String ? example.Expected.GetString()! : example.Expected.GetRawText();
        var question = string.Join("\n", example.Inputs.Keys.Select(k => $"{k}: {example.Render(k)}"));
        var result = await evaluator.EvaluateAsync(
            [new ChatMessage(ChatRole.User, question)],
            new ChatResponse(new ChatMessage(ChatRole.Assistant, actual)),
            judge,
            [new ExpectedAnswerContext(expected)],
            cancellationToken).ConfigureAwait(false);
        if (!result.Metrics.TryGetValue(metricName, out var metric))
        {
            return new EvalScore(false, $"the evaluator returned no metric '{metricName}' (it returned {string.Join(", ", result.Metrics.Keys)})");
        }

        return metric switch
        {
            BooleanMetric { Value: true } => EvalScore.Pass,
            BooleanMetric b => new EvalScore(false, $"{metricName} is {b.Value?.ToString() ?? "missing"}: {b.Reason}"),
            NumericMetric { Value: { } value } when value >= minimum => EvalScore.Pass,
            NumericMetric n => new EvalScore(false, string.Create(CultureInfo.InvariantCulture, $"{metricName} is {n.Value} (< {minimum}): {n.Reason}")),
            _ => new EvalScore(false, $"{metricName} is neither a boolean nor a numeric metric"),
        };
    }
}
