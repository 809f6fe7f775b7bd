using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>The routed tasks options validation checks configuration against (the catalog, unless a test replaces it).</summary>
internal sealed class RoutedTaskSource(Func<IReadOnlyList<RoutedTask>> tasks)
{
    public static RoutedTaskSource Catalog { get; } = new(() => RoutedTaskCatalog.Tasks);

    public IReadOnlyList<RoutedTask> Tasks => tasks();
}

/// <summary>The configuration section the options are bound from, whose keys the validator checks (the binder ignores unknown ones).</summary>
internal sealed class RoutedPromptsConfigurationSection(IConfigurationSection section)
{
    public IConfigurationSection Section { get; } = section;
}

/// <summary>
/// Validates <see cref="RoutedPromptsOptions"/> at start-up. Every message names the configuration path at fault and
/// how to fix it.
/// </summary>
internal sealed class RoutedPromptsOptionsValidator(IServiceProvider services) : IValidateOptions<RoutedPromptsOptions>
{
    private const string Root = RoutedPromptsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RoutedPromptsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var keyed = services.GetService<IServiceProviderIsKeyedService>();
        if (services.GetService<RoutedPromptsConfigurationSection>() is { } configured)
        {
            UnknownKeys(configured.Section, failures);
        }

        ResilienceValidation.Validate($"{Root}:Resilience", options.Resilience, failures);

        foreach (var (tierName, tier) in options.Tiers)
        {
            var tierPath = $"{Root}:Tiers:{tierName}";
            if (!TierNames.TryParse(tierName, out _))
            {
                failures.Add($"{tierPath} is not a tier. Tier names are {string.Join(", ", TierNames.All)}; rename the entry.");
                continue;
            }

            ResilienceValidation.Validate($"{tierPath}:Resilience", tier?.Resilience, failures);
            var deployments = tier?.Deployments ?? [];
            for (var i = 0; i < deployments.Count; i++)
            {
                ValidateDeployment(string.Create(CultureInfo.InvariantCulture, $"{tierPath}:Deployments:{i}"), deployments[i], keyed, failures);
            }
        }

        var tasks = (services.GetService<RoutedTaskSource>() ?? RoutedTaskSource.Catalog).Tasks;
        foreach (var (taskName, task) in options.Tasks)
        {
            var taskPath = $"{Root}:Tasks:{taskName}";
            if (task?.ConfidenceThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{taskPath}:ConfidenceThreshold is {threshold}; a confidence threshold must be between 0 and 1 (for example 0.8)."));
            }

            CheckTier($"{taskPath}:Tier", task?.Tier, failures);
            CheckTier($"{taskPath}:MaxTier", task?.MaxTier, failures);
            CheckChatOption(taskPath, RoutedPromptsShape.Temperature, task?.Temperature, failures);
            CheckChatOption(taskPath, RoutedPromptsShape.MaxOutputTokens, task?.MaxOutputTokens, failures);
            CheckChatOption(taskPath, RoutedPromptsShape.TopP, task?.TopP, failures);
            if (tasks.Count > 0 && !tasks.Any(t => t.Name == taskName))
            {
                failures.Add($"{taskPath} names no routed task. Known tasks: {string.Join(", ", tasks.Select(t => t.Name))}. Fix the name or remove the entry.");
            }
        }

        CheckRules(options, tasks, failures);

        if (failures.Count == 0)
        {
            var settings = RouterSettings.Build(options);
            foreach (var task in tasks)
            {
                var (start, _) = settings.Range(task);
                if (settings.Deployments(start).Count == 0)
                {
                    var tierPath = $"{Root}:Tiers:{TierNames.Name(start)}";
                    failures.Add($"Routed task '{task.Name}' starts at tier {TierNames.Name(start)}, but {tierPath} has no deployments. Add one under {tierPath}:Deployments.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Every routing rule, global then per task, by the one rule checker (<see cref="RoutingRules.Check"/>, RP0016 at
    /// build time): each message names the rule's configuration path and the fix.
    /// </summary>
    private static void CheckRules(RoutedPromptsOptions options, IReadOnlyList<RoutedTask> tasks, List<string> failures)
    {
        IReadOnlyDictionary<string, IReadOnlyList<string>>? known = tasks.Count == 0
            ? null
            : tasks.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Parameters, StringComparer.Ordinal);
        var problems = new List<RuleProblem>();
        var rules = options.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            CheckRule(rules[i], string.Create(CultureInfo.InvariantCulture, $"{Root}:{RoutingRules.RulesKey}:{i}"), null, known, problems);
        }

        foreach (var (taskName, task) in options.Tasks)
        {
            var taskRules = task?.Rules ?? [];
            for (var i = 0; i < taskRules.Count; i++)
            {
                CheckRule(taskRules[i], string.Create(CultureInfo.InvariantCulture, $"{Root}:Tasks:{taskName}:{RoutingRules.RulesKey}:{i}"), taskName, known, problems);
            }
        }

        failures.AddRange(problems.Select(p => p.Message));

        static void CheckRule(RoutingRuleOptions? rule, string path, string? owner, IReadOnlyDictionary<string, IReadOnlyList<string>>? known, List<RuleProblem> problems)
        {
            if (rule is null)
            {
                problems.Add(new RuleProblem(string.Empty, $"{path} is empty. Give it a StartTier or a MaxTier, and conditions under When."));
                return;
            }

            RoutingRules.Check(RouteRules.Spec(rule), path, owner, known, problems);
        }
    }

    private static void ValidateDeployment(string path, DeploymentOptions? deployment, IServiceProviderIsKeyedService? keyed, List<string> failures)
    {
        if (deployment is null)
        {
            failures.Add($"{path} is empty. Give it a Provider and a Model.");
            return;
        }

        if (string.IsNullOrWhiteSpace(deployment.Provider))
        {
            failures.Add($"{path}:Provider is empty. Set it to the key of a keyed IChatClient registration, for example services.AddKeyedChatClient(\"openai\", ...).");
        }
        else if (keyed is not null && !keyed.IsKeyedService(typeof(IChatClient), deployment.Provider))
        {
            failures.Add($"{path}:Provider '{deployment.Provider}' has no IChatClient registered. Register one with services.AddKeyedChatClient(\"{deployment.Provider}\", ...).");
        }

        if (string.IsNullOrWhiteSpace(deployment.Model))
        {
            failures.Add($"{path}:Model is empty. Set it to the model id the provider serves (for example \"gpt-4o-mini\").");
        }

        ResilienceValidation.Validate($"{path}:Resilience", deployment.Resilience, failures);
        CheckPrice($"{path}:InputUsdPerMillionTokens", deployment.InputUsdPerMillionTokens, failures);
        if (deployment.CachedInputUsdPerMillionTokens is { } cachedPrice)
        {
            CheckPrice($"{path}:CachedInputUsdPerMillionTokens", cachedPrice, failures);
        }

        CheckPrice($"{path}:OutputUsdPerMillionTokens", deployment.OutputUsdPerMillionTokens, failures);
    }

    /// <summary>
    /// Every key of the section must be one the options have (<see cref="RoutedPromptsShape"/>, the shape the analyzers
    /// hold routedprompts.json to): the binder would ignore a misspelled price, leaving the deployment at $0.
    /// </summary>
    private static void UnknownKeys(IConfigurationSection section, List<string> failures)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, _) in section.AsEnumerable(makePathsRelative: true).OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (key.Length == 0)
            {
                continue;
            }

            var segments = key.Split(ConfigurationPath.KeyDelimiter);
            if (RoutedPromptsShape.UnknownKey(segments, Root + ConfigurationPath.KeyDelimiter, out var depth) is { } problem &&
                reported.Add(string.Join(ConfigurationPath.KeyDelimiter, segments.Take(depth + 1))))
            {
                failures.Add($"{problem} Rename or remove it (in routedprompts.json, or the environment variable {Root}__{string.Join("__", segments.Take(depth + 1))}).");
            }
        }
    }

    private static void CheckChatOption(string taskPath, string key, double? value, List<string> failures)
    {
        if (value is { } number && RoutedPromptsShape.RangeProblem(RoutedPromptsShape.Task.Find(key)!, number) is { } problem)
        {
            failures.Add($"{taskPath}:{key} {problem}");
        }
    }

    private static void CheckTier(string path, Tier? tier, List<string> failures)
    {
        if (tier is { } value && (uint)value >= (uint)TierNames.All.Length)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path} is {(int)value}, which is not a tier. Use a tier name: {string.Join(", ", TierNames.All)}."));
        }
    }

    private static void CheckPrice(string path, decimal price, List<string> failures)
    {
        if (price < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path} is {price}; a price cannot be negative. Set the provider's price in USD per million tokens, or 0 when unknown."));
        }
        else if (price > MaxUsdPerMillionTokens)
        {
            // Beyond any real price, and a cost (up to MalformedResponseException.MaxPlausibleTokens tokens) would overflow decimal.
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path} is {price}; a price is at most {MaxUsdPerMillionTokens:#,0} USD per million tokens. Set the provider's price in USD per million tokens."));
        }
    }

    /// <summary>The highest price per million tokens the options accept.</summary>
    private const decimal MaxUsdPerMillionTokens = 1_000_000m;
}

/// <summary>Checks a <see cref="ResilienceOptions"/> section against the ranges the resilience pipeline accepts.</summary>
internal static class ResilienceValidation
{
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public static void Validate(string path, ResilienceOptions? options, List<string> failures)
    {
        if (options is null)
        {
            return;
        }

        CheckTime(path, nameof(options.AttemptTimeout), options.AttemptTimeout, TimeSpan.FromMilliseconds(10), "00:00:30", failures);
        CheckTime(path, nameof(options.RetryBaseDelay), options.RetryBaseDelay, TimeSpan.Zero, "00:00:00.200", failures);
        CheckTime(path, nameof(options.RetryMaxDelay), options.RetryMaxDelay, TimeSpan.Zero, "00:00:05", failures);
        CheckTime(path, nameof(options.MaxRetryAfter), options.MaxRetryAfter, TimeSpan.Zero, "00:00:10", failures);
        CheckTime(path, nameof(options.SamplingDuration), options.SamplingDuration, TimeSpan.FromMilliseconds(500), "00:00:30", failures);
        CheckTime(path, nameof(options.BreakDuration), options.BreakDuration, TimeSpan.FromMilliseconds(500), "00:00:30", failures);
        if (options.MaxRetries is { } retries && retries is < 0 or > 100)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}:MaxRetries is {retries}; it must be between 0 (no retries) and 100 (for example 2)."));
        }

        if (options.FailureRatio is { } ratio && !(ratio > 0 && ratio <= 1))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}:FailureRatio is {ratio}; the failure ratio that opens the circuit must be above 0 and at most 1 (for example 0.5)."));
        }

        if (options.MinimumThroughput is { } throughput && throughput < 2)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}:MinimumThroughput is {throughput}; the circuit breaker needs at least 2 tries in its sampling window (for example 10)."));
        }
    }

    private static void CheckTime(string path, string name, TimeSpan? value, TimeSpan minimum, string example, List<string> failures)
    {
        if (value is { } time && (time < minimum || time > OneDay))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}:{name} is {time:c}; it must be between {minimum:c} and 1 day (for example \"{example}\")."));
        }
    }
}
