using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, object> _validators = new();
    private readonly ConcurrentDictionary<(Tier Tier, DeploymentInfo Info), DeploymentChannel> _channels = new();
    // The deployments whose missing confidence signal was logged: once per (tier, deployment) for the router's lifetime.
    private readonly ConcurrentDictionary<(Tier Tier, DeploymentInfo Info), bool> _missingConfidenceLogged = new();
    private readonly Func<IReadOnlyList<DeploymentHealth>> _healthSource;
    private RouterSettings _settings;
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
        _settings = RouterSettings.Build(options.CurrentValue);
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
        var settings = CurrentSettings();
        var health = new List<DeploymentHealth>();
        for (var tier = Tier.Small; tier <= Tier.Large; tier++)
        {
            foreach (var deployment in settings.Deployments(tier))
            {
                health.Add(Channel(deployment).Health());
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
    public ValueTask<Routed<T>> RouteAsync<T>(RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(messages);
        return RouteCoreAsync(task, messages, cancellationToken);
    }

    private async ValueTask<Routed<T>> RouteCoreAsync<T>(RoutedTask<T> task, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var settings = CurrentSettings();
        var runtime = TaskRuntime.For(task);
        if (runtime.Schema is { } schema)
        {
            // A schema NJsonSchema cannot read is the task's error: surface it before any paid call, not after one.
            await schema.ConfigureAwait(false);
        }

        var (start, max) = settings.Range(task);
        var attempts = new List<RoutingAttempt>();
        Exception? lastProviderError = null;
        HashSet<ReplayRecording>? unrecorded = null; // recordings that lack this request: their deployments cannot answer it

        using var activity = RoutedPromptsTelemetry.ActivitySource.StartActivity("RoutedPrompts.Route");
        activity?.SetTag(TelemetryTags.Task, task.Name);

        for (var tier = start; tier <= max; tier++)
        {
            var deployments = settings.Deployments(tier);
            if (deployments.Count == 0)
            {
                RouterLog.TierWithoutDeployments(_logger, task.Name, TierNames.Name(tier));
                continue;
            }

            var answered = false;
            foreach (var deployment in deployments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (unrecorded is not null && ReplayedFrom(deployment) is { } skipped && unrecorded.Contains(skipped))
                {
                    continue; // the first miss named the request and the closest recorded one; asking again only repeats it
                }

                NoteEscalation(task.Name, attempts, tier);

                using var attemptActivity = RoutedPromptsTelemetry.ActivitySource.StartActivity("RoutedPrompts.Attempt");
                attemptActivity?.SetTag(TelemetryTags.Task, task.Name);
                attemptActivity?.SetTag(TelemetryTags.Tier, TierNames.Name(tier));
                attemptActivity?.SetTag(TelemetryTags.Provider, deployment.Info.Provider);
                attemptActivity?.SetTag(TelemetryTags.Model, deployment.Info.Model);

                // Availability: did the deployment answer at all?
                var call = await CallAsync(deployment, runtime, messages, settings.Source.Tasks.GetValueOrDefault(task.Name), cancellationToken).ConfigureAwait(false);
                if (call.Error is { } error)
                {
                    lastProviderError = error;
                    if (error is ReplayMissException { RequestRecorded: false } && ReplayedFrom(deployment) is { } recording)
                    {
                        (unrecorded ??= []).Add(recording);
                    }

                    var failed = UnavailableAttempt(deployment, call, error);
                    Record(task.Name, attempts, failed, attemptActivity);
                    attemptActivity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
                    if (failed.Outcome == AttemptOutcome.CircuitOpen && failed.Requests == 0)
                    {
                        RouterLog.CircuitOpenSkipped(_logger, task.Name, TierNames.Name(tier), deployment.Info.ToString());
                    }
                    else
                    {
                        // The exception's message may echo the key or the request (SDKs and proxies do): logged only with LogContent.
                        RouterLog.ProviderError(_logger, task.Name, TierNames.Name(tier), deployment.Info.ToString(), failed.Reason!, settings.Source.LogContent ? error : null);
                    }

                    continue; // availability failure: next deployment of the same tier
                }

                // Quality: did the answer pass the gates?
                answered = true;
                var response = call.Response!;
                var (evaluated, value) = await EvaluateAsync(task, runtime, deployment, response, call.Latency, settings.ConfidenceThreshold(task, tier), cancellationToken).ConfigureAwait(false);
                var attempt = evaluated with { Requests = call.Requests, Retries = call.Retries };
                Record(task.Name, attempts, attempt, attemptActivity);
                if (attempt.Outcome == AttemptOutcome.MissingConfidence && _missingConfidenceLogged.TryAdd((tier, deployment.Info), true))
                {
                    RouterLog.MissingConfidence(_logger, task.Name, TierNames.Name(tier), deployment.Info.ToString(), attempt.Reason!);
                }

                if (attempt.Accepted)
                {
                    _metrics.Requests.Add(1, new(TelemetryTags.Task, task.Name), new(TelemetryTags.Outcome, "succeeded"), new(TelemetryTags.Tier, TierNames.Name(tier)));
                    activity?.SetTag(TelemetryTags.Tier, TierNames.Name(tier));
                    activity?.SetTag(TelemetryTags.Outcome, "succeeded");
                    return new Routed<T>(task.Name, value!, attempts.ToArray());
                }

                if (settings.Source.LogContent)
                {
                    RouterLog.RejectedAnswer(_logger, task.Name, deployment.Info.ToString(), TierNames.Name(attempt.Outcome), attempt.Reason, response.Text);
                }

                break; // a gate failed: escalate to the next tier
            }

            if (!answered && tier < max && settings.WhenUnavailable(tier) == TierUnavailableBehavior.Fail)
            {
                RouterLog.TierUnavailable(_logger, task.Name, TierNames.Name(tier));
                break; // the whole tier is unavailable and configured not to escalate
            }
        }

        _metrics.Requests.Add(1, new(TelemetryTags.Task, task.Name), new(TelemetryTags.Outcome, "failed"), new(TelemetryTags.Tier, "none"));
        activity?.SetTag(TelemetryTags.Outcome, "failed");
        activity?.SetStatus(ActivityStatusCode.Error, "No acceptable answer.");
        if (attempts.Count > 0)
        {
            RouterLog.Exhausted(_logger, task.Name, attempts.Count, TierNames.Name(attempts[^1].Outcome), TierNames.Name(attempts[^1].Tier));
        }

        throw new RoutingException(task.Name, attempts.ToArray(), settings.Source.ExposeProviderExceptions ? lastProviderError : null);
    }

    /// <summary>
    /// Calls one deployment through its resilience pipeline (timeout, retries, circuit breaker). Any failure other than
    /// the caller's cancellation is returned, not thrown.
    /// </summary>
    private async ValueTask<ProviderCall> CallAsync(DeploymentPlan deployment, TaskRuntime runtime, IReadOnlyList<ChatMessage> messages, TaskOptions? taskOptions, CancellationToken cancellationToken)
    {
        var client = Client(deployment.Info.Provider);
        var options = new ChatOptions { ModelId = deployment.Info.Model, ResponseFormat = runtime.ResponseFormat };
        TaskChatOptions.Apply(taskOptions, options); // the task's configured chat options (eval runs through here too)
        if (deployment.LogProbabilities && client.GetService<IConfidenceReportingChatClient>() is null)
        {
            throw new InvalidOperationException(
                $"Deployment {TierNames.Name(deployment.Tier)} {deployment.Info} is configured with \"LogProbabilities\": true, but the IChatClient registered under \"{deployment.Info.Provider}\" " +
                $"reports no confidence, so the confidence gate would never see a signal. Build that client with UseOpenAILogProbabilities() (package RoutedPrompts.OpenAI; " +
                $"below any cache: .UseDistributedCache(cache).UseOpenAILogProbabilities()), register a client that implements {nameof(IConfidenceReportingChatClient)}, or remove \"LogProbabilities\" from the deployment.");
        }

        var started = _time.GetTimestamp();
        var result = await Channel(deployment).SendAsync(client, messages, options, cancellationToken).ConfigureAwait(false);
        return new ProviderCall(result, _time.GetElapsedTime(started));
    }

    /// <summary>The recording a deployment's client replays, or <see langword="null"/> for a live provider.</summary>
    private ReplayRecording? ReplayedFrom(DeploymentPlan deployment) =>
        Client(deployment.Info.Provider).GetService<ReplayChatClient>()?.Recording;

    /// <summary>The attempt of a deployment that did not answer: a provider error or an open circuit.</summary>
    private static RoutingAttempt UnavailableAttempt(DeploymentPlan deployment, ProviderCall call, Exception error)
    {
        var result = call.Result;
        var circuitOpen = result.Failure == ProviderFailureKind.CircuitOpen;
        var reason = DeploymentChannel.Describe(error);
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

    /// <summary>The deployment's channel: created once, and again only when its resilience settings change.</summary>
    private DeploymentChannel Channel(DeploymentPlan deployment)
    {
        var key = (deployment.Tier, deployment.Info);
        if (_channels.TryGetValue(key, out var channel) && channel.Plan.Resilience == deployment.Resilience)
        {
            return channel;
        }

        lock (_channels)
        {
            if (!_channels.TryGetValue(key, out channel) || channel.Plan.Resilience != deployment.Resilience)
            {
                channel = new DeploymentChannel(deployment, _time, _logger, _metrics);
                _channels[key] = channel;
            }
        }

        return channel;
    }

    /// <summary>Applies the gates in order and, when they all pass, returns the parsed value.</summary>
    private async ValueTask<(RoutingAttempt Attempt, T? Value)> EvaluateAsync<T>(
        RoutedTask<T> task, TaskRuntime runtime, DeploymentPlan deployment, ChatResponse response, TimeSpan latency, double? threshold, CancellationToken cancellationToken)
    {
        var inputTokens = response.Usage?.InputTokenCount ?? 0;
        var cachedInputTokens = response.Usage?.CachedInputTokenCount ?? 0;
        var outputTokens = response.Usage?.OutputTokenCount ?? 0;
        var confidence = ResponseConfidence.ReadFrom(response);
        RoutingAttempt Attempt(GateVerdict verdict) => new(
            deployment.Tier, deployment.Info, verdict.Outcome, verdict.Reason, confidence, inputTokens, outputTokens,
            deployment.Cost(inputTokens, cachedInputTokens, outputTokens, response.AdditionalProperties), latency);

        var text = response.Text ?? string.Empty;
        var verdict = AnswerGates.CheckText(text, response.FinishReason, AnswerGates.ReportsRefusal(response));
        if (!verdict.Passed)
        {
            return (Attempt(verdict), default);
        }

        T? value;
        if (task.ResultKind == ResultKind.Text)
        {
            value = (T)(object)text.Trim();
        }
        else
        {
            var json = AnswerGates.StripFence(text);
            verdict = AnswerGates.CheckJson(json, out var document);
            if (!verdict.Passed)
            {
                return (Attempt(verdict), default);
            }

            // The answer is parsed once: the schema gate reads the text, deserialization reads this document.
            using var parsed = document!;

            verdict = AnswerGates.CheckNumbers(parsed.RootElement);
            if (!verdict.Passed)
            {
                return (Attempt(verdict), default);
            }

            if (runtime.Schema is { } schemaTask)
            {
                verdict = AnswerGates.CheckSchema(await schemaTask.ConfigureAwait(false), json);
                if (!verdict.Passed)
                {
                    return (Attempt(verdict), default);
                }
            }

            (value, verdict) = Deserialize(task, parsed);
            if (!verdict.Passed)
            {
                return (Attempt(verdict), default);
            }
        }

        verdict = AnswerGates.CheckConfidence(confidence, threshold, deployment.LogProbabilities);
        if (!verdict.Passed)
        {
            return (Attempt(verdict), default);
        }

        verdict = await ValidateAsync(task, deployment, value!, cancellationToken).ConfigureAwait(false);
        return (Attempt(verdict), verdict.Passed ? value : default);
    }

    private static (T? Value, GateVerdict Verdict) Deserialize<T>(RoutedTask<T> task, JsonDocument json)
    {
        try
        {
            var value = json.Deserialize(task.JsonTypeInfo!);
            return value is null
                ? (default, GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer is JSON null, not a {typeof(T).Name}."))
                : (value, GateVerdict.Pass);
        }
        catch (Exception ex)
        {
            // Whatever the reader throws, the cause is the answer (the type info is generated): a gate failure, never an escape.
            var where = ex is JsonException { Path: { } path } ? $" at {path}" : string.Empty;
            return (default, GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer does not deserialize into {typeof(T).Name}{where} ({ex.GetType().Name})."));
        }
    }

    /// <summary>
    /// The validator gate. A validator that throws rejects the answer (its exception type is the reason, not its message,
    /// which may quote the answer); only the caller's cancellation propagates.
    /// </summary>
    private async ValueTask<GateVerdict> ValidateAsync<T>(RoutedTask<T> task, DeploymentPlan deployment, T value, CancellationToken cancellationToken)
    {
        if (task.Validator is { } validator)
        {
            bool valid;
            try
            {
                valid = validator(value);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"The task's validator method threw {ex.GetType().Name}.");
            }

            if (!valid)
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, "The task's validator method rejected the answer.");
            }
        }

        if (task.ValidatorType is { } validatorType)
        {
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

            if (instance is not IResultValidator<T> resultValidator)
            {
                throw new InvalidOperationException(
                    $"Routed task '{task.Name}' names validator type {validatorType} which does not implement IResultValidator<{typeof(T).Name}>.");
            }

            ResultValidation result;
            try
            {
                result = await resultValidator
                    .ValidateAsync(value, new ValidationContext(task.Name, deployment.Tier, deployment.Info), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"{validatorType.Name} threw {ex.GetType().Name}.");
            }

            if (!result.IsValid)
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"{validatorType.Name}: {result.Reason}");
            }
        }

        return GateVerdict.Pass;
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

    private IChatClient Client(string provider)
    {
        if (!_clients.TryGetValue(provider, out var client))
        {
            lock (_clients)
            {
                if (!_clients.TryGetValue(provider, out client))
                {
                    client = _services.GetRequiredKeyedService<IChatClient>(provider);
                    _clients[provider] = client;
                }
            }
        }

        return client;
    }

    /// <summary>
    /// Whether the router runs on the current configuration, or kept the last valid one because the latest reload failed
    /// validation (then with the validation message, which names each configuration path at fault).
    /// </summary>
    /// <returns>The configuration's health now.</returns>
    public ConfigurationHealth GetConfigurationHealth()
    {
        CurrentSettings();
        return Volatile.Read(ref _rejectedReload) ?? ConfigurationHealth.Current;
    }

    /// <summary>
    /// The settings of the current options; after a reload that fails validation, the last valid settings (the rejection
    /// is logged once and reported by <see cref="GetConfigurationHealth"/>), so a bad edit never stops traffic.
    /// </summary>
    private RouterSettings CurrentSettings()
    {
        RoutedPromptsOptions current;
        try
        {
            current = _options.CurrentValue;
        }
        catch (OptionsValidationException rejected)
        {
            NoteRejectedReload(rejected);
            return Volatile.Read(ref _settings);
        }

        var settings = Volatile.Read(ref _settings);
        if (!ReferenceEquals(settings.Source, current))
        {
            settings = RouterSettings.Build(current);
            Volatile.Write(ref _settings, settings);
        }

        if (Volatile.Read(ref _rejectedReload) is not null)
        {
            Volatile.Write(ref _rejectedReload, null);
        }

        return settings;
    }

    /// <summary>
    /// Records a rejected reload. The options monitor rethrows the same exception until the configuration changes again,
    /// so a new exception instance is a new change: it is logged once.
    /// </summary>
    private void NoteRejectedReload(OptionsValidationException rejected)
    {
        var seen = Volatile.Read(ref _rejectedReload);
        if (ReferenceEquals(seen?.Error, rejected))
        {
            return;
        }

        var health = new ConfigurationHealth(true, rejected.Message, _time.GetUtcNow()) { Error = rejected };
        if (ReferenceEquals(Interlocked.CompareExchange(ref _rejectedReload, health, seen), seen))
        {
            RouterLog.ReloadRejected(_logger, rejected.Message);
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
