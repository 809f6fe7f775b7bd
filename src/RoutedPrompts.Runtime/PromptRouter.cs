using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using RoutedPrompts.Replay;

namespace RoutedPrompts;

/// <summary>
/// Sends a routed task's messages to the cheapest tier first, gates each answer, and escalates up the tiers only when
/// a gate fails.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddRoutedPrompts(...)</c>. Each tier's deployments are called through keyed
/// <see cref="IChatClient"/> registrations (the deployment's <see cref="DeploymentOptions.Provider"/> is the key).
/// Each deployment is called through its own resilience pipeline (a timeout per try, retries with backoff honouring
/// <c>Retry-After</c>, a circuit breaker; see <see cref="ResilienceOptions"/>). A deployment that fails to answer (an
/// availability failure) falls over to the next deployment of the same tier; when the whole tier is unavailable the
/// request escalates (or fails, see <see cref="RoutedPromptsOptions.WhenTierUnavailable"/>); an answer that fails a gate
/// escalates to the next higher tier. The router is thread-safe and meant to be a singleton.
/// </remarks>
public sealed class PromptRouter
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<RoutedPromptsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RouterMetrics _metrics;
    // Counts input tokens for rules with a token condition; null: they are estimated.
    private readonly IPromptTokenCounter? _tokenCounter;
    private readonly ConcurrentDictionary<Type, object> _validators = new();
    // The deployments whose missing confidence signal was logged: once per (tier, deployment) for the router's lifetime.
    private readonly ConcurrentDictionary<(Tier Tier, DeploymentInfo Info), bool> _missingConfidenceLogged = new();
    private readonly Func<IReadOnlyList<DeploymentHealth>> _healthSource;
    private readonly object _refreshLock = new();
    // What outlives a plan: each configured (tier, deployment)'s breaker and health. Replaced (under _refreshLock) by
    // every plan built, so a deployment no longer configured is dropped.
    private Dictionary<(Tier Tier, DeploymentInfo Info), DeploymentState> _states = [];
    private RoutePlan _plan;
    // Set by a change notification; the next request (or health read) reads the options once and clears it.
    private int _changed;
    // The options instance, or the validation failure, the router last read: a change is a new one.
    private object _seen;
    private ConfigurationHealth? _rejectedReload;

    /// <summary>Creates a router. Reading the options here validates them, so a broken configuration fails at construction.</summary>
    /// <param name="services">Resolves the keyed <see cref="IChatClient"/>s and the tasks' <see cref="IResultValidator{T}"/>s.</param>
    /// <param name="options">The RoutedPrompts options.</param>
    /// <param name="timeProvider">Measures attempt latency; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The router's logger; nothing is logged when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>RoutedPrompts</c> meter; a process-wide meter is used when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The configuration is invalid.</exception>
    public PromptRouter(
        IServiceProvider services,
        IOptionsMonitor<RoutedPromptsOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<PromptRouter>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = RouterMetrics.Create(meterFactory);
        _tokenCounter = services.GetService<IPromptTokenCounter>();

        // Listen before the first read, so no change falls between the two. A valid change arrives through OnChange; one
        // that fails validation never does (the monitor throws before it notifies), so the options' change token
        // sources say that something changed, and the next request reads the options once to learn what.
        options.OnChange((_, name) => NoteChange(name));
        foreach (var source in services.GetServices<IOptionsChangeTokenSource<RoutedPromptsOptions>>())
        {
            if (IsDefaultName(source.Name))
            {
                ChangeToken.OnChange(source.GetChangeToken, NoteChange, source.Name);
            }
        }

        var current = options.CurrentValue;
        _plan = BuildPlan(current);
        _seen = current;
        _healthSource = GetDeploymentHealth;
        _metrics.Register(_healthSource);
    }

    /// <summary>
    /// The health of every configured deployment: circuit state, tries, failures, recent error rate and latency. Also
    /// exported as the <c>routedprompts.deployment.*</c> gauges.
    /// </summary>
    /// <returns>One entry per configured (tier, deployment), in tier then preference order.</returns>
    public IReadOnlyList<DeploymentHealth> GetDeploymentHealth()
    {
        var plan = CurrentPlan();
        var health = new List<DeploymentHealth>();
        for (var tier = Tier.Small; tier <= Tier.Large; tier++)
        {
            foreach (var deployment in plan.Deployments(tier))
            {
                health.Add(deployment.State.Health());
            }
        }

        return health;
    }

    /// <summary>Routes one request of <paramref name="task"/>.</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The generated task descriptor.</param>
    /// <param name="messages">The rendered messages, sent unchanged to every deployment tried.</param>
    /// <param name="cancellationToken">Cancels the request, including any escalation.</param>
    /// <returns>The accepted answer with its provenance.</returns>
    /// <exception cref="RoutingException">No tier the task may reach produced an acceptable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">
    /// A deployment to call is configured with <see cref="DeploymentOptions.LogProbabilities"/> but its provider's client
    /// stack has no <see cref="IConfidenceReportingChatClient"/> (for OpenAI: <c>UseOpenAILogProbabilities()</c>).
    /// </exception>
#pragma warning disable RS0027 // Nothing has shipped; the short overload is the hand-written call, the long one the generated methods'.
    public ValueTask<Routed<T>> RouteAsync<T>(RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
#pragma warning restore RS0027
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(messages);
        return RouteCoreAsync(task, messages, null, null, cancellationToken);
    }

    /// <summary>Routes one request of <paramref name="task"/> with its context and arguments (what generated methods call).</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">The generated task descriptor.</param>
    /// <param name="messages">The rendered messages, sent unchanged to every deployment tried.</param>
    /// <param name="context">Who and what the request is for (routing rules and telemetry read it), or <see langword="null"/>.</param>
    /// <param name="arguments">The method's arguments, one per <see cref="RoutedTask.Parameters"/> in order (a rule's <c>Parameter</c> condition reads them), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request, including any escalation.</param>
    /// <returns>The accepted answer with its provenance.</returns>
    /// <exception cref="RoutingException">No tier the task may reach produced an acceptable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<Routed<T>> RouteAsync<T>(RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, RouteContext? context, IReadOnlyList<object?>? arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(messages);
        return RouteCoreAsync(task, messages, context, arguments, cancellationToken);
    }

    private async ValueTask<Routed<T>> RouteCoreAsync<T>(
        RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, RouteContext? context, IReadOnlyList<object?>? arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var plan = CurrentPlan();
        var route = plan.For(task);
        var (runtime, gates) = await PrepareAsync(task).ConfigureAwait(false);

        var attempts = new List<RoutingAttempt>();
        Exception? lastProviderError = null;
        HashSet<ReplayRecording>? unrecorded = null; // recordings that lack this request: their deployments cannot answer it

        using var activity = RoutedPromptsTelemetry.ActivitySource.StartActivity("RoutedPrompts.Route");
        activity?.SetTag(TelemetryTags.Task, task.Name);
        var decision = Decide(task, route, plan, messages, context, arguments);
        var (start, max) = (decision.Start, decision.Max);
        TagDecision(activity, decision);

        for (var tier = start; tier <= max; tier++)
        {
            var deployments = plan.Deployments(tier);
            if (deployments.Count == 0)
            {
                RouterLog.TierWithoutDeployments(_logger, task.Name, TierNames.Name(tier));
                continue;
            }

            var answered = false;
            foreach (var deployment in deployments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (unrecorded is not null && deployment.Recording is { } skipped && unrecorded.Contains(skipped))
                {
                    continue; // the first miss named the request and the closest recorded one; asking again only repeats it
                }

                NoteEscalation(task.Name, attempts, tier);
                var (attempt, value, error) = await TryAsync(task, runtime, gates, plan, deployment, route, messages, route.Threshold(tier), attempts, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    lastProviderError = error;
                    if (error is ReplayMissException { RequestRecorded: false } && deployment.Recording is { } recording)
                    {
                        (unrecorded ??= []).Add(recording);
                    }

                    continue; // availability failure: next deployment of the same tier
                }

                answered = true;
                if (attempt.Accepted)
                {
                    _metrics.Requests.Add(1, RequestTags(task.Name, "succeeded", TierNames.Name(tier), decision));
                    activity?.SetTag(TelemetryTags.Tier, TierNames.Name(tier));
                    activity?.SetTag(TelemetryTags.Outcome, "succeeded");
                    return new Routed<T>(task.Name, value!, attempts.ToArray()) { Route = decision };
                }

                break; // a gate failed: escalate to the next tier
            }

            if (!answered && tier < max && plan.Settings.WhenUnavailable(tier) == TierUnavailableBehavior.Fail)
            {
                RouterLog.TierUnavailable(_logger, task.Name, TierNames.Name(tier));
                break; // the whole tier is unavailable and configured not to escalate
            }
        }

        _metrics.Requests.Add(1, RequestTags(task.Name, "failed", "none", decision));
        activity?.SetTag(TelemetryTags.Outcome, "failed");
        activity?.SetStatus(ActivityStatusCode.Error, "No acceptable answer.");
        if (attempts.Count > 0)
        {
            RouterLog.Exhausted(_logger, task.Name, attempts.Count, TierNames.Name(attempts[^1].Outcome), TierNames.Name(attempts[^1].Tier));
        }

        throw new RoutingException(task.Name, attempts.ToArray(), plan.Source.ExposeProviderExceptions ? lastProviderError : null) { Route = decision };
    }

    /// <summary>
    /// Where this request starts and how far it may go: the task's planned range, narrowed by the first routing rule
    /// whose conditions hold (the task's rules, then the global ones) through the one range rule
    /// (<see cref="TaskRoute.Narrow"/>). Free when no rule applies to the task. The classifier's step follows the rules here.
    /// </summary>
    private RouteDecision Decide(RoutedTask task, TaskRoute route, RoutePlan plan, IReadOnlyList<ChatMessage> messages, RouteContext? context, IReadOnlyList<object?>? arguments)
    {
        if (route.Rules.Length == 0)
        {
            return context is null ? route.PlannedDecision : new RouteDecision { PlannedStart = route.Start, Start = route.Start, Max = route.Max, Context = context };
        }

        var request = new RuleRequest(messages, context, arguments, () => CountTokens(plan, route.Start, messages));
        CompiledRule? matched = null;
        foreach (var (rule, parameterIndex) in route.Rules)
        {
            if (rule.Matches(request, parameterIndex, out var timedOut))
            {
                matched = rule;
                break;
            }

            if (timedOut && rule.FirstTimeout())
            {
                RouterLog.RulePatternTimeout(_logger, task.Name, rule.Name, rule.Parameter!, Shared.RoutingRules.MatchTimeout.TotalMilliseconds);
            }
        }

        var (start, max) = matched is null ? (route.Start, route.Max) : route.Narrow(matched.StartTier, matched.MaxTier);
        if (matched is not null && (start != route.Start || max != route.Max))
        {
            RouterLog.RuleApplied(_logger, task.Name, matched.Name, TierNames.Name(start), TierNames.Name(max), TierNames.Name(route.Start), TierNames.Name(route.Max));
        }

        var tokens = request.CountedTokens;
        return new RouteDecision
        {
            PlannedStart = route.Start,
            Start = start,
            Max = max,
            Rule = matched?.Name,
            InputTokens = tokens?.Tokens,
            InputTokensEstimated = tokens?.Estimated ?? false,
            Context = context,
        };
    }

    /// <summary>
    /// The request's input tokens: by the <see cref="IPromptTokenCounter"/> for the planned start tier's first
    /// deployment's model when it knows the model, else estimated (<see cref="PromptFeatures.EstimateTokens"/>).
    /// </summary>
    private (int Tokens, bool Estimated) CountTokens(RoutePlan plan, Tier plannedStart, IReadOnlyList<ChatMessage> messages)
    {
        var deployments = plan.Deployments(plannedStart);
        return _tokenCounter is not null && deployments.Count > 0 && _tokenCounter.TryCountTokens(deployments[0].Plan.Info.Model, messages, out var tokens) && tokens >= 0
            ? (tokens, false)
            : (PromptFeatures.EstimateTokens(messages), true);
    }

    /// <summary>The route activity's decision tags: the context (the tenant only here, never on a metric) and the range.</summary>
    private static void TagDecision(Activity? activity, RouteDecision decision)
    {
        if (activity is null)
        {
            return;
        }

        if (decision.Context is { } context)
        {
            activity.SetTag(TelemetryTags.ContextFeature, context.Feature);
            activity.SetTag(TelemetryTags.ContextUserTier, context.UserTier);
            activity.SetTag(TelemetryTags.ContextTenant, context.Tenant);
        }

        activity.SetTag(TelemetryTags.RouteRule, decision.Rule);
        activity.SetTag(TelemetryTags.RouteStartTier, TierNames.Name(decision.Start));
        activity.SetTag(TelemetryTags.RoutePlannedStartTier, TierNames.Name(decision.PlannedStart));
    }

    /// <summary>The tags of <c>routedprompts.requests</c>: task, outcome, tier, and the request's feature and rule when it has them.</summary>
    private static TagList RequestTags(string taskName, string outcome, string tier, RouteDecision decision)
    {
        var tags = new TagList { { TelemetryTags.Task, taskName }, { TelemetryTags.Outcome, outcome }, { TelemetryTags.Tier, tier } };
        if (decision.Context?.Feature is { } feature)
        {
            tags.Add(TelemetryTags.Feature, feature);
        }

        if (decision.Rule is { } rule)
        {
            tags.Add(TelemetryTags.Rule, rule);
        }

        return tags;
    }

    /// <summary>
    /// One try of one deployment of the current plan, as <see cref="RouteAsync{T}(RoutedTask{T}, IReadOnlyList{ChatMessage}, CancellationToken)"/> makes it there but with the
    /// <paramref name="threshold"/> given (the eval tool passes none): the attempt, and the value when it was accepted.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="tier">The deployment's tier.</param>
    /// <param name="index">The deployment's position in the tier's configured deployments.</param>
    /// <param name="messages">The rendered messages.</param>
    /// <param name="threshold">The confidence threshold; <see langword="null"/>: no confidence gate.</param>
    /// <param name="cancellationToken">Cancels the try.</param>
    /// <returns>The attempt (an availability failure, a gate failure or an acceptance) and the accepted value.</returns>
    internal async ValueTask<(RoutingAttempt Attempt, T? Value)> AttemptAsync<T>(
        RoutedTask<T> task, Tier tier, int index, IReadOnlyList<ChatMessage> messages, double? threshold, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var plan = CurrentPlan();
        var (runtime, gates) = await PrepareAsync(task).ConfigureAwait(false);
        var (attempt, value, _) = await TryAsync(
            task, runtime, gates, plan, plan.Deployments(tier)[index], plan.For(task), messages, threshold, [], cancellationToken).ConfigureAwait(false);
        return (attempt, value);
    }

    /// <summary>
    /// The task's runtime state and gates. A schema NJsonSchema cannot read, or a validator type that is not one, is the
    /// task's error: it surfaces here, before any paid call, not after one.
    /// </summary>
    private async ValueTask<(TaskRuntime Runtime, AnswerGates<T> Gates)> PrepareAsync<T>(RoutedTask<T> task)
    {
        var runtime = TaskRuntime.For(task);
        if (runtime.Schema is { } schema)
        {
            await schema.ConfigureAwait(false);
        }

        return (runtime, new AnswerGates<T>(task, ValidatorFor(task)));
    }

    /// <summary>
    /// Tries one deployment: calls it (availability) and gates its answer (quality), records the attempt in
    /// <paramref name="attempts"/>, its telemetry and its logs. The error is the provider's failure when it did not answer.
    /// </summary>
    private async ValueTask<(RoutingAttempt Attempt, T? Value, Exception? Error)> TryAsync<T>(
        RoutedTask<T> task, TaskRuntime runtime, AnswerGates<T> gates, RoutePlan plan, DeploymentChannel deployment, TaskRoute route,
        IReadOnlyList<ChatMessage> messages, double? threshold, List<RoutingAttempt> attempts, CancellationToken cancellationToken)
    {
        var tier = deployment.Plan.Tier;
        using var attemptActivity = RoutedPromptsTelemetry.ActivitySource.StartActivity("RoutedPrompts.Attempt");
        attemptActivity?.SetTag(TelemetryTags.Task, task.Name);
        attemptActivity?.SetTag(TelemetryTags.Tier, TierNames.Name(tier));
        attemptActivity?.SetTag(TelemetryTags.Provider, deployment.Plan.Info.Provider);
        attemptActivity?.SetTag(TelemetryTags.Model, deployment.Plan.Info.Model);

        // Availability: did the deployment answer at all?
        var call = await CallAsync(deployment, runtime, messages, route.ChatOptions, cancellationToken).ConfigureAwait(false);
        if (call.Error is { } error)
        {
            var failed = UnavailableAttempt(deployment.Plan, call);
            Record(task.Name, attempts, failed, attemptActivity);
            attemptActivity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
            if (failed.Outcome == AttemptOutcome.CircuitOpen && failed.Requests == 0)
            {
                RouterLog.CircuitOpenSkipped(_logger, task.Name, TierNames.Name(tier), deployment.Plan.Info.ToString());
            }
            else
            {
                // The exception's message may echo the key or the request (SDKs and proxies do): logged only with LogContent.
                RouterLog.ProviderError(_logger, task.Name, TierNames.Name(tier), deployment.Plan.Info.ToString(), failed.Reason!, plan.Source.LogContent ? error : null);
            }

            return (failed, default, error);
        }

        // Quality: did the answer pass the gates?
        var response = call.Response!;
        var (evaluated, value) = await EvaluateAsync(gates, deployment.Plan, response, call.Latency, threshold, cancellationToken).ConfigureAwait(false);
        var attempt = evaluated with { Requests = call.Requests, Retries = call.Retries };
        Record(task.Name, attempts, attempt, attemptActivity);
        if (attempt.Outcome == AttemptOutcome.MissingConfidence && _missingConfidenceLogged.TryAdd((tier, deployment.Plan.Info), true))
        {
            RouterLog.MissingConfidence(_logger, task.Name, TierNames.Name(tier), deployment.Plan.Info.ToString(), attempt.Reason!);
        }

        if (!attempt.Accepted && plan.Source.LogContent)
        {
            RouterLog.RejectedAnswer(_logger, task.Name, deployment.Plan.Info.ToString(), TierNames.Name(attempt.Outcome), attempt.Reason, response.Text);
        }

        return (attempt, value, null);
    }

    /// <summary>
    /// Calls one deployment through its resilience pipeline (timeout, retries, circuit breaker). Any failure other than
    /// the caller's cancellation is returned, not thrown.
    /// </summary>
    private async ValueTask<ProviderCall> CallAsync(DeploymentChannel deployment, TaskRuntime runtime, IReadOnlyList<ChatMessage> messages, TaskOptions? taskOptions, CancellationToken cancellationToken)
    {
        var options = new ChatOptions { ModelId = deployment.Plan.Info.Model, ResponseFormat = runtime.ResponseFormat };
        TaskChatOptions.Apply(taskOptions, options); // the task's configured chat options (eval runs through here too)
        if (deployment.MissesConfidence)
        {
            throw new InvalidOperationException(
                $"Deployment {TierNames.Name(deployment.Plan.Tier)} {deployment.Plan.Info} is configured with \"LogProbabilities\": true, but the IChatClient registered under \"{deployment.Plan.Info.Provider}\" " +
                $"reports no confidence, so the confidence gate would never see a signal. Build that client with UseOpenAILogProbabilities() (package RoutedPrompts.OpenAI; " +
                $"below any cache: .UseDistributedCache(cache).UseOpenAILogProbabilities()), register a client that implements {nameof(IConfidenceReportingChatClient)}, or remove \"LogProbabilities\" from the deployment.");
        }

        var started = _time.GetTimestamp();
        var result = await deployment.SendAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return new ProviderCall(result, _time.GetElapsedTime(started));
    }

    /// <summary>The attempt of a deployment that did not answer: a provider error or an open circuit.</summary>
    private static RoutingAttempt UnavailableAttempt(DeploymentPlan deployment, ProviderCall call)
    {
        var result = call.Result;
        var circuitOpen = result.Failure == ProviderFailureKind.CircuitOpen;
        var reason = result.Reason!;
        if (result.Requests > 1)
        {
            reason += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" after {result.Requests} tries");
        }

        return new RoutingAttempt(deployment.Tier, deployment.Info, circuitOpen ? AttemptOutcome.CircuitOpen : AttemptOutcome.ProviderError, reason, null, 0, 0, 0m, call.Latency)
        {
            Failure = result.Failure,
            StatusCode = result.StatusCode,
            Requests = result.Requests,
            Retries = result.Retries,
        };
    }

    /// <summary>Gates the answer (<see cref="AnswerGates{T}"/>) and prices it: the attempt, and the value when it was accepted.</summary>
    private static async ValueTask<(RoutingAttempt Attempt, T? Value)> EvaluateAsync<T>(
        AnswerGates<T> gates, DeploymentPlan deployment, ChatResponse response, TimeSpan latency, double? threshold, CancellationToken cancellationToken)
    {
        var cachedInputTokens = response.Usage?.CachedInputTokenCount ?? 0;
        var inputTokens = response.Usage?.InputTokenCount ?? cachedInputTokens; // cached tokens are part of the input: without a count, the input known
        var outputTokens = response.Usage?.OutputTokenCount ?? 0;
        var gated = await gates.EvaluateAsync(response, new GateSettings(threshold, deployment.LogProbabilities), deployment.Tier, deployment.Info, cancellationToken).ConfigureAwait(false);
        var attempt = new RoutingAttempt(
            deployment.Tier, deployment.Info, gated.Verdict.Outcome, gated.Verdict.Reason, gated.Confidence, inputTokens, outputTokens,
            deployment.Cost(inputTokens, cachedInputTokens, outputTokens, response.AdditionalProperties), latency);
        return (attempt, gated.Value);
    }

    /// <summary>
    /// The task's <see cref="RoutedTask{T}.ValidatorType"/> instance: resolved from the service provider, or created with
    /// its constructor's services, once per router; <see langword="null"/> when the task names none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The type is not an <see cref="IResultValidator{T}"/> (the task's error, surfaced before any call).</exception>
    private IResultValidator<T>? ValidatorFor<T>(RoutedTask<T> task)
    {
        if (task.ValidatorType is not { } validatorType)
        {
            return null;
        }

        if (!_validators.TryGetValue(validatorType, out var instance))
        {
            lock (_validators)
            {
                if (!_validators.TryGetValue(validatorType, out instance))
                {
                    instance = ActivatorUtilities.GetServiceOrCreateInstance(_services, validatorType);
                    _validators[validatorType] = instance;
                }
            }
        }

        return instance as IResultValidator<T> ?? throw new InvalidOperationException(
            $"Routed task '{task.Name}' names validator type {validatorType} which does not implement IResultValidator<{typeof(T).Name}>.");
    }

    private void NoteEscalation(string taskName, List<RoutingAttempt> attempts, Tier tier)
    {
        if (attempts.Count == 0 || attempts[^1].Tier == tier)
        {
            return;
        }

        var last = attempts[^1];
        var from = TierNames.Name(last.Tier);
        var to = TierNames.Name(tier);
        var outcome = TierNames.Name(last.Outcome);
        _metrics.Escalations.Add(1, new(TelemetryTags.Task, taskName), new(TelemetryTags.From, from), new(TelemetryTags.To, to), new(TelemetryTags.Reason, outcome));
        RouterLog.Escalating(_logger, taskName, from, last.Deployment.ToString(), outcome, to);
    }

    private void Record(string taskName, List<RoutingAttempt> attempts, RoutingAttempt attempt, Activity? activity)
    {
        attempts.Add(attempt);
        var tier = TierNames.Name(attempt.Tier);
        var outcome = TierNames.Name(attempt.Outcome);
        var kind = attempt.Accepted ? "accepted" : attempt.IsAvailabilityFailure ? "availability" : "gate";
        activity?.SetTag(TelemetryTags.Outcome, outcome);
        activity?.SetTag(TelemetryTags.Kind, kind);
        if (attempt.IsAvailabilityFailure)
        {
            activity?.SetTag(TelemetryTags.Failure, TierNames.Name(attempt.Failure));
            activity?.SetTag(TelemetryTags.StatusCode, attempt.StatusCode);
        }

        if (attempt.Requests > 0)
        {
            activity?.SetTag(TelemetryTags.Retries, attempt.Retries);
        }

        var tags = new TagList
        {
            { TelemetryTags.Task, taskName },
            { TelemetryTags.Tier, tier },
            { TelemetryTags.Provider, attempt.Deployment.Provider },
            { TelemetryTags.Model, attempt.Deployment.Model },
            { TelemetryTags.Outcome, outcome },
            { TelemetryTags.Kind, kind },
        };
        _metrics.Attempts.Add(1, tags);
        _metrics.Duration.Record(attempt.Latency.TotalSeconds, tags);
        _metrics.Cost.Record((double)attempt.CostUsd, new(TelemetryTags.Task, taskName), new(TelemetryTags.Tier, tier));
        if (attempt.InputTokens > 0)
        {
            _metrics.Tokens.Add(attempt.InputTokens, new(TelemetryTags.Task, taskName), new(TelemetryTags.Provider, attempt.Deployment.Provider), new(TelemetryTags.Model, attempt.Deployment.Model), new(TelemetryTags.TokenType, "input"));
        }

        if (attempt.OutputTokens > 0)
        {
            _metrics.Tokens.Add(attempt.OutputTokens, new(TelemetryTags.Task, taskName), new(TelemetryTags.Provider, attempt.Deployment.Provider), new(TelemetryTags.Model, attempt.Deployment.Model), new(TelemetryTags.TokenType, "output"));
        }
    }

    /// <summary>
    /// Whether the router runs on the current configuration, or kept the last valid one because the latest reload failed
    /// validation (then with the validation message, which names each configuration path at fault).
    /// </summary>
    /// <returns>The configuration's health now.</returns>
    public ConfigurationHealth GetConfigurationHealth()
    {
        CurrentPlan();
        return Volatile.Read(ref _rejectedReload) ?? ConfigurationHealth.Current;
    }

    /// <summary>
    /// The plan of the current options; after a reload that fails validation, the last valid plan (the rejection is
    /// logged once and reported by <see cref="GetConfigurationHealth"/>), so a bad edit never stops traffic. The options
    /// are read only after a change notification, so a rejected reload costs nothing per request.
    /// </summary>
    private RoutePlan CurrentPlan()
    {
        if (Volatile.Read(ref _changed) != 0)
        {
            Refresh();
        }

        return Volatile.Read(ref _plan);
    }

    private void NoteChange(string? name)
    {
        if (IsDefaultName(name))
        {
            Volatile.Write(ref _changed, 1);
        }
    }

    private static bool IsDefaultName(string? name) => name is null || name == Options.DefaultName;

    /// <summary>Reads the options once after a change: a new valid value gets a new plan, a new rejection is noted.</summary>
    private void Refresh()
    {
        lock (_refreshLock)
        {
            if (Interlocked.Exchange(ref _changed, 0) == 0)
            {
                return; // another request took this change
            }

            var done = false;
            try
            {
                object current;
                try
                {
                    current = _options.CurrentValue;
                }
                catch (OptionsValidationException rejected)
                {
                    current = rejected;
                }
                catch (InvalidOperationException unbindable)
                {
                    // The binder could not convert a value (a routing rule's "StartTier": "Huge"): a rejected reload too, not
                    // an exception on every request. Its message names the configuration path and the value.
                    current = unbindable;
                }

                if (ReferenceEquals(current, _seen))
                {
                    return; // the notification reached the router before the monitor took the change: look again next time
                }

                if (current is OptionsValidationException rejection)
                {
                    NoteRejectedReload(rejection.Message);
                }
                else if (current is InvalidOperationException unbound)
                {
                    NoteRejectedReload($"The reloaded configuration could not be bound: {unbound.Message} Use a value of the setting's kind (a tier is Small, Medium or Large).");
                }
                else if (TryBuildPlan((RoutedPromptsOptions)current) is { } plan)
                {
                    Volatile.Write(ref _plan, plan);
                    Volatile.Write(ref _rejectedReload, null);
                }

                _seen = current;
                done = true;
            }
            finally
            {
                if (!done)
                {
                    Volatile.Write(ref _changed, 1);
                }
            }
        }
    }

    /// <summary>
    /// Composes the plan of <paramref name="options"/>: each deployment's client is resolved once per provider, and
    /// each (tier, deployment) keeps its breaker and health from the plan before (called in the constructor or under
    /// the refresh lock).
    /// </summary>
    private RoutePlan BuildPlan(RoutedPromptsOptions options)
    {
        var clients = new Dictionary<string, IChatClient>(StringComparer.Ordinal);
        var states = new Dictionary<(Tier Tier, DeploymentInfo Info), DeploymentState>();
        var plan = new RoutePlan(RouterSettings.Build(options), deployment =>
        {
            var provider = deployment.Info.Provider;
            if (!clients.TryGetValue(provider, out var client))
            {
                clients[provider] = client = _services.GetRequiredKeyedService<IChatClient>(provider);
            }

            var key = (deployment.Tier, deployment.Info);
            if (!states.TryGetValue(key, out var state))
            {
                states[key] = state = _states.GetValueOrDefault(key) ?? new DeploymentState(deployment.Tier, deployment.Info, _time, _logger, _metrics);
            }

            return new DeploymentChannel(deployment, client, state, _time, _logger, _metrics);
        });
        _states = states;
        return plan;
    }

    /// <summary>
    /// Records a rejected reload (a new one: the options monitor rethrows the same exception until the configuration
    /// changes again, and <see cref="Refresh"/> skips what it saw). It is logged once.
    /// </summary>
    private void NoteRejectedReload(string reason)
    {
        Volatile.Write(ref _rejectedReload, new ConfigurationHealth(true, reason, _time.GetUtcNow()));
        RouterLog.ReloadRejected(_logger, reason);
    }

    /// <summary>
    /// The plan of a reloaded configuration, or <see langword="null"/> (noted as a rejected reload) when it cannot be
    /// composed: a deployment's chat client failed to resolve. Traffic stays on the last good plan, as for a reload that
    /// fails validation, instead of every request failing. The reason names the exception's type, never its message,
    /// which may carry a key or a connection string.
    /// </summary>
    private RoutePlan? TryBuildPlan(RoutedPromptsOptions options)
    {
        try
        {
            return BuildPlan(options);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            NoteRejectedReload(
                $"The reloaded configuration could not be composed: resolving a deployment's IChatClient threw {ex.GetType().Name}. " +
                "The router keeps serving the last valid configuration; fix the client's registration, then reload.");
            return null;
        }
    }

    private readonly record struct ProviderCall(ChannelResult Result, TimeSpan Latency)
    {
        public ChatResponse? Response => Result.Response;

        public Exception? Error => Result.Error;

        public int Requests => Result.Requests;

        public int Retries => Result.Retries;
    }
}
