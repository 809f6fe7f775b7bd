using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts.Evaluation;

/// <summary>The eval example's expected answer, passed to an <see cref="IEvaluator"/> as context.</summary>
/// <param name="expected">The expected answer's text.</param>
public sealed class ExpectedAnswerContext(string expected) : EvaluationContext(ContextName, expected)
{
    /// <summary>The context's name.</summary>
    public const string ContextName = "Expected answer";

    /// <summary>The expected answer's text.</summary>
    public string Expected { get; } = expected;
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
    /// <summary>The scorer's name in eval results and reports (default: the evaluator's type and the metric).</summary>
    public string Name { get; init; } = $"{evaluator.GetType().Name} ({metricName})";

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

/// <summary>
/// An <see cref="IEvaluator"/> that asks a judge model (the <see cref="ChatConfiguration"/>'s client) whether a text
/// answer means the same as the expected answer (<see cref="ExpectedAnswerContext"/>): differences of wording, order or
/// formatting that keep the meaning are equivalent. Its metric, <see cref="MetricName"/>, is a <see cref="BooleanMetric"/>
/// with the judge's reason; a judge reply that is neither verdict leaves the value unset and says so in the reason.
/// </summary>
public sealed class EquivalenceEvaluator : IEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string MetricName = "Equivalent";

    /// <summary>The judge's instructions (part of the request, so of the cache key).</summary>
    public const string Instructions =
        "You judge whether an answer means the same as the reference answer to the same request. Differences of wording, " +
        "order, formatting, tone or length that keep the meaning are EQUIVALENT. A different fact, number, name, decision " +
        "or instruction, missing required content, or a contradiction is DIFFERENT. Reply with one word on the first line, " +
        "EQUIVALENT or DIFFERENT, then one sentence saying why.";

    /// <inheritdoc />
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [MetricName];

    /// <inheritdoc />
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null, IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        var judge = chatConfiguration?.ChatClient ?? throw new InvalidOperationException($"{nameof(EquivalenceEvaluator)} needs a judge: pass a {nameof(ChatConfiguration)}.");
        var expected = additionalContext?.OfType<ExpectedAnswerContext>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{nameof(EquivalenceEvaluator)} needs the expected answer: pass an {nameof(ExpectedAnswerContext)}.");
        var request = string.Join("\n", messages.Select(m => m.Text));
        var reply = await judge.GetResponseAsync(
            [
                new ChatMessage(ChatRole.System, Instructions),
                new ChatMessage(ChatRole.User, $"Request:\n{request}\n\nReference answer:\n{expected.Expected}\n\nAnswer to judge:\n{modelResponse.Text}"),
            ],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var text = reply.Text.Trim();
        var verdict = text.Split('\n', 2)[0].Trim().Trim('*', '#', '.', ':', ' ').ToUpperInvariant();
        bool? equivalent = verdict.StartsWith("EQUIVALENT", StringComparison.Ordinal) ? true
            : verdict.StartsWith("DIFFERENT", StringComparison.Ordinal) ? false
            : null;
        var reason = equivalent is null ? $"the judge's reply is neither EQUIVALENT nor DIFFERENT: '{text}'" : text;
        return new EvaluationResult(new BooleanMetric(MetricName, equivalent, reason));
    }
}

/// <summary>
/// The semantic scorer of a text task (<c>--scorer Task=semantic</c>): an <see cref="EquivalenceEvaluator"/> judged by
/// the task's top tier (the first deployment of the highest tier it reaches), called through the same providers and the
/// same on-disk response cache as the answers, so a re-run makes no judge calls. Dispose it after the run.
/// </summary>
public sealed class SemanticScorer : IEvalScorer<string>, IAsyncDisposable
{
    /// <summary>The scorer's name on the command line (<c>--scorer Task=semantic</c>).</summary>
    public const string Keyword = "semantic";

    private readonly ServiceProvider _services;
    private readonly EvaluatorScorer _scorer;
    private readonly string _judge;

    private SemanticScorer(ServiceProvider services, IChatClient judge, string judgeName)
    {
        _services = services;
        _judge = judgeName;
        _scorer = new EvaluatorScorer(new EquivalenceEvaluator(), EquivalenceEvaluator.MetricName, new ChatConfiguration(judge));
        Name = $"{Keyword} (equivalence judged by {judgeName})";
    }

    /// <summary>The scorer's name in eval results and reports, naming the judge.</summary>
    public string Name { get; }

    /// <summary>Creates the scorer of <paramref name="task"/>, judged by its top tier's first deployment.</summary>
    /// <param name="task">The text task.</param>
    /// <param name="options">The run's options: deployments, providers and response cache.</param>
    /// <returns>The scorer.</returns>
    /// <exception cref="InvalidOperationException">The task is not a text task, or has no deployment (<see cref="EvalRunner.Deployments"/>).</exception>
    public static SemanticScorer Create(RoutedTask task, EvalRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        if (task.ResultType != typeof(string))
        {
            throw new InvalidOperationException(
                $"The {Keyword} scorer judges text answers; {task.Name} returns {task.ResultType.Name}. Score it with the JSON field comparison (--ignore-case, --tolerance, --ignore-field, --lists-as-sets) or a Namespace.Type.Method scorer.");
        }

        var deployments = EvalRunner.Deployments(task, options);
        var (tier, deployment) = deployments.First(d => d.Tier == deployments[^1].Tier);
        var services = new ServiceCollection();
        options.Providers(services);
        EvalRunner.Decorate(services, deployment.Provider, options, static _ => { });

        var provider = services.BuildServiceProvider();
        var client = provider.GetKeyedService<IChatClient>(deployment.Provider)
            ?? throw new InvalidOperationException($"No chat client is registered for provider '{deployment.Provider}' (the judge of {task.Name}, {tier}).");
        var model = deployment.Model;
        return new SemanticScorer(provider, new ConfigureOptionsChatClient(client, o => o.ModelId = model), $"{tier} {deployment.Provider}/{model}");
    }

    /// <inheritdoc />
    public async ValueTask<EvalScore> ScoreAsync(string actual, EvalExample example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(example);
        try
        {
            return await _scorer.ScoreAsync(actual, example, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not InvalidDataException)
        {
            // Described as the router describes a provider error (type and status): a provider's message may echo the key or the request.
            throw new InvalidOperationException(
                $"The {Keyword} scorer's judge ({_judge}) failed on example '{example.Id}': {DeploymentChannel.Describe(ex)}. Judgements made so far are cached; re-run eval.", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
