using System.Runtime.CompilerServices;

namespace RoutedPrompts;

/// <summary>
/// What the router routes with for one options snapshot, composed once (as <c>ChatClientBuilder.Build()</c> composes a
/// pipeline once): each tier's deployments with their resolved chat client and resilience channel, and per task, on its
/// first request, its tier range and per-tier thresholds. Immutable: a reload builds the next plan, whose channels keep
/// each still-configured deployment's breaker and health (<see cref="DeploymentState"/>).
/// </summary>
internal sealed class RoutePlan
{
    private readonly DeploymentChannel[][] _tiers;
    private readonly ConditionalWeakTable<RoutedTask, TaskRoute> _tasks = new();
    private readonly ConditionalWeakTable<RoutedTask, TaskRoute>.CreateValueCallback _route;

    /// <summary>Composes the plan of <paramref name="settings"/>.</summary>
    /// <param name="settings">The options snapshot's settings.</param>
    /// <param name="channel">Composes one configured deployment's channel (its client, its pipeline, its kept state).</param>
    public RoutePlan(RouterSettings settings, Func<DeploymentPlan, DeploymentChannel> channel)
    {
        Settings = settings;
        _route = task => new TaskRoute(task, settings);
        _tiers = new DeploymentChannel[TierNames.All.Length][];
        for (var i = 0; i < _tiers.Length; i++)
        {
            _tiers[i] = settings.Deployments((Tier)i).Select(channel).ToArray();
        }
    }

    /// <summary>The settings of the options snapshot the plan was composed from.</summary>
    public RouterSettings Settings { get; }

    /// <summary>The options snapshot.</summary>
    public RoutedPromptsOptions Source => Settings.Source;

    /// <summary>The channels of <paramref name="tier"/>'s deployments, in preference order.</summary>
    public IReadOnlyList<DeploymentChannel> Deployments(Tier tier) => (uint)tier < (uint)_tiers.Length ? _tiers[(int)tier] : [];

    /// <summary>The route of <paramref name="task"/> in this plan, computed on the task's first request.</summary>
    public TaskRoute For(RoutedTask task) => _tasks.GetValue(task, _route);
}

/// <summary>One task's route in one plan: the tiers it may use, each tier's confidence threshold, its configured chat options.</summary>
internal sealed class TaskRoute
{
    private readonly double?[] _thresholds;
    private readonly Tier _floor;
    private readonly Tier _ceiling;

    public TaskRoute(RoutedTask task, RouterSettings settings)
    {
        (Start, Max) = settings.Range(task);
        (_floor, _ceiling) = (task.Tier, task.MaxTier);
        Rules = settings.Rules.For(task);
        PlannedDecision = new RouteDecision { PlannedStart = Start, Start = Start, Max = Max };
        _thresholds = new double?[TierNames.All.Length];
        for (var i = 0; i < _thresholds.Length; i++)
        {
            _thresholds[i] = settings.ConfidenceThreshold(task, (Tier)i);
        }

        ChatOptions = settings.Source.Tasks.GetValueOrDefault(task.Name);
    }

    /// <summary>The tier a request starts at.</summary>
    public Tier Start { get; }

    /// <summary>The highest tier a request may escalate to.</summary>
    public Tier Max { get; }

    /// <summary>The task's configuration (its chat options), or <see langword="null"/>.</summary>
    public TaskOptions? ChatOptions { get; }

    /// <summary>The routing rules that apply to the task, in the order they are tried (empty: routing costs nothing extra).</summary>
    public TaskRule[] Rules { get; }

    /// <summary>The decision of a request no rule narrows and without a context (shared: it is immutable).</summary>
    public RouteDecision PlannedDecision { get; }

    /// <summary>
    /// The range of a request a rule (or the classifier) narrows: the start raised to <paramref name="raisedStart"/>
    /// (never lowered below the planned start), the cap lowered to <paramref name="loweredMax"/> (never raised above the
    /// planned cap), composed by the one range rule (<see cref="Shared.TierRange.Reachable"/>): the code's tier stays the
    /// floor and its <c>MaxTier</c> the ceiling, and a start never passes the cap.
    /// </summary>
    public (Tier Start, Tier Max) Narrow(Tier? raisedStart, Tier? loweredMax)
    {
        var start = raisedStart is { } raised && raised > Start ? raised : Start;
        var max = loweredMax is { } lowered && lowered < Max ? lowered : Max;
        var (first, last) = Shared.TierRange.Reachable((int)_floor, (int)_ceiling, (int)start, (int)max);
        return ((Tier)first, (Tier)last);
    }

    /// <summary>The confidence threshold at <paramref name="tier"/> (<see cref="RouterSettings.ConfidenceThreshold"/>).</summary>
    public double? Threshold(Tier tier) => (uint)tier < (uint)_thresholds.Length ? _thresholds[(int)tier] : null;
}
