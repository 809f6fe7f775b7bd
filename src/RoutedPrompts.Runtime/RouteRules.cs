using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>
/// The routing rules of one options snapshot (<see cref="RoutedPromptsOptions.Rules"/> and each task's
/// <see cref="TaskOptions.Rules"/>), each pattern compiled once (<see cref="RoutingRules.CompilePattern"/>). A task's
/// applicable rules (<see cref="For"/>) are computed once per plan, in <see cref="TaskRoute"/>.
/// </summary>
internal sealed class RouteRules
{
    private readonly CompiledRule[] _global;
    private readonly Dictionary<string, CompiledRule[]> _tasks;

    private RouteRules(RoutedPromptsOptions options)
    {
        _global = Compile(options.Rules, i => string.Create(CultureInfo.InvariantCulture, $"{RoutedPromptsOptions.SectionName}:{RoutingRules.RulesKey}:{i}"));
        _tasks = new Dictionary<string, CompiledRule[]>(StringComparer.Ordinal);
        foreach (var (name, task) in options.Tasks)
        {
            if (task?.Rules is { Count: > 0 } rules)
            {
                _tasks[name] = Compile(rules, i => string.Create(CultureInfo.InvariantCulture, $"{RoutedPromptsOptions.SectionName}:Tasks:{name}:{RoutingRules.RulesKey}:{i}"));
            }
        }
    }

    public static RouteRules Build(RoutedPromptsOptions options) => new(options);

    /// <summary>The shared checker's view of a configured rule (<see cref="RoutingRules.Check"/>).</summary>
    public static RuleSpec Spec(RoutingRuleOptions rule) => new()
    {
        Name = rule.Name,
        Task = rule.Task,
        Feature = rule.When?.Feature,
        UserTier = rule.When?.UserTier,
        Tags = rule.When?.Tags,
        MinInputTokens = rule.When?.MinInputTokens,
        MaxInputTokens = rule.When?.MaxInputTokens,
        MinPromptLength = rule.When?.MinPromptLength,
        MaxPromptLength = rule.When?.MaxPromptLength,
        HasCode = rule.When?.HasCode,
        Parameter = rule.When?.Parameter,
        Pattern = rule.When?.Pattern,
        StartTier = rule.StartTier is { } start ? TierNames.Name(start) : null,
        MaxTier = rule.MaxTier is { } max ? TierNames.Name(max) : null,
    };

    /// <summary>The rules that apply to <paramref name="task"/>, in the order they are tried: its own, then the global ones for it or for every task.</summary>
    public TaskRule[] For(RoutedTask task)
    {
        var own = _tasks.GetValueOrDefault(task.Name) ?? [];
        var applicable = new List<TaskRule>(own.Length + _global.Length);
        foreach (var rule in own.Concat(_global.Where(g => g.Task is null || g.Task == task.Name)))
        {
            var index = rule.Parameter is { } parameter ? IndexOf(task.Parameters, parameter) : -1;
            applicable.Add(new TaskRule(rule, index));
        }

        return [.. applicable];
    }

    private static int IndexOf(IReadOnlyList<string> parameters, string name)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (string.Equals(parameters[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static CompiledRule[] Compile(List<RoutingRuleOptions>? rules, Func<int, string> path)
    {
        var compiled = new List<CompiledRule>();
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            if (rules![i] is { } rule)
            {
                compiled.Add(new CompiledRule(rule, path(i)));
            }
        }

        return [.. compiled];
    }
}

/// <summary>One configured rule, its pattern compiled (validation refused a snapshot whose pattern does not compile).</summary>
internal sealed class CompiledRule
{
    private int _timeoutLogged;

    public CompiledRule(RoutingRuleOptions rule, string path)
    {
        var when = rule.When;
        Name = RoutingRules.DisplayName(RouteRules.Spec(rule), path);
        Task = rule.Task;
        Feature = when?.Feature;
        UserTier = when?.UserTier;
        Tags = when?.Tags is { Count: > 0 } tags ? [.. tags] : [];
        MinInputTokens = when?.MinInputTokens;
        MaxInputTokens = when?.MaxInputTokens;
        MinPromptLength = when?.MinPromptLength;
        MaxPromptLength = when?.MaxPromptLength;
        HasCode = when?.HasCode;
        Parameter = when?.Parameter;
        Pattern = when?.Pattern is { Length: > 0 } pattern ? RoutingRules.CompilePattern(pattern, out _) : null;
        StartTier = rule.StartTier;
        MaxTier = rule.MaxTier;
    }

    /// <summary>The rule's <c>Name</c>, else its configuration path.</summary>
    public string Name { get; }

    public string? Task { get; }

    public string? Feature { get; }

    public string? UserTier { get; }

    public string[] Tags { get; }

    public int? MinInputTokens { get; }

    public int? MaxInputTokens { get; }

    public int? MinPromptLength { get; }

    public int? MaxPromptLength { get; }

    public bool? HasCode { get; }

    public string? Parameter { get; }

    public Regex? Pattern { get; }

    public Tier? StartTier { get; }

    public Tier? MaxTier { get; }

    /// <summary>Whether the rule needs the request's input tokens counted.</summary>
    public bool CountsTokens => MinInputTokens is not null || MaxInputTokens is not null;

    /// <summary>
    /// Whether every condition holds for <paramref name="request"/>, the cheap ones first (context, length, pattern,
    /// code), the token count last. A pattern that times out is no match (<paramref name="timedOut"/>), never an error.
    /// </summary>
    public bool Matches(RuleRequest request, int parameterIndex, out bool timedOut)
    {
        timedOut = false;
        var context = request.Context;
        if ((Feature is not null && !string.Equals(Feature, context?.Feature, StringComparison.OrdinalIgnoreCase)) ||
            (UserTier is not null && !string.Equals(UserTier, context?.UserTier, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        foreach (var tag in Tags)
        {
            if (context is null || !context.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if ((MinPromptLength is { } shortest && request.Prompt.Length < shortest) || (MaxPromptLength is { } longest && request.Prompt.Length > longest))
        {
            return false;
        }

        if (Parameter is not null)
        {
            if (Pattern is null || request.Argument(parameterIndex) is not { } value)
            {
                return false; // not the task's parameter, or no arguments (a hand-written call): the condition cannot hold
            }

            try
            {
                if (!Pattern.IsMatch(value))
                {
                    return false;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                timedOut = true;
                return false;
            }
        }

        if (HasCode is { } code && request.HasCode != code)
        {
            return false;
        }

        return !CountsTokens || ((MinInputTokens is not { } fewest || request.Tokens >= fewest) && (MaxInputTokens is not { } most || request.Tokens <= most));
    }

    /// <summary>Whether this is the first pattern timeout of the rule in its snapshot (it is logged once).</summary>
    public bool FirstTimeout() => Interlocked.Exchange(ref _timeoutLogged, 1) == 0;
}

/// <summary>A rule as it applies to one task: the index of its <c>Parameter</c> in the task's parameters (-1: none, or not the task's).</summary>
internal readonly record struct TaskRule(CompiledRule Rule, int ParameterIndex);

/// <summary>
/// One request as the rules see it: its context, its arguments, and what is derived from its messages (the prompt,
/// whether it has code, its input tokens), each computed at most once and only when a rule asks.
/// </summary>
internal sealed class RuleRequest(IReadOnlyList<ChatMessage> messages, RouteContext? context, IReadOnlyList<object?>? arguments, Func<(int Tokens, bool Estimated)> countTokens)
{
    private string? _prompt;
    private bool? _hasCode;
    private (int Tokens, bool Estimated)? _tokens;

    public RouteContext? Context => context;

    /// <summary>The text of the request's user messages, concatenated (what <c>PromptLength</c> and <c>HasCode</c> read).</summary>
    public string Prompt => _prompt ??= PromptFeatures.UserText(messages);

    public bool HasCode => _hasCode ??= PromptFeatures.HasCode(Prompt);

    /// <summary>The input tokens, once counted (<see langword="null"/> when no rule needed them).</summary>
    public (int Tokens, bool Estimated)? CountedTokens => _tokens;

    public int Tokens => (_tokens ??= countTokens()).Tokens;

    /// <summary>The argument at <paramref name="index"/> as the prompt renders it (<see cref="PromptText.Format{T}"/>), or <see langword="null"/>.</summary>
    public string? Argument(int index) =>
        index >= 0 && arguments is not null && index < arguments.Count ? PromptText.Format(arguments[index]) : null;
}
