using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace RoutedPrompts.Tests;

public sealed record Ticket(string Category, int Priority);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Ticket))]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>One call a <see cref="ScriptedChatClient"/> saw.</summary>
public sealed record ScriptedCall(string Provider, string? ModelId, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);

/// <summary>
/// A chat client that answers from queues of scripted replies per model id and records every request. All providers of
/// one test share the call log, so the order of calls across providers is visible.
/// </summary>
public sealed class ScriptedChatClient(string provider, List<ScriptedCall> log) : IChatClient
{
    private readonly Dictionary<string, Queue<Func<CancellationToken, Task<ChatResponse>>>> _replies = new(StringComparer.Ordinal);

    public string Provider { get; } = provider;

    public IReadOnlyList<ScriptedCall> Calls => log.Where(c => c.Provider == Provider).ToArray();

    public ScriptedChatClient Reply(string model, Func<CancellationToken, Task<ChatResponse>> reply)
    {
        if (!_replies.TryGetValue(model, out var queue))
        {
            _replies[model] = queue = new Queue<Func<CancellationToken, Task<ChatResponse>>>();
        }

        queue.Enqueue(reply);
        return this;
    }

    public ScriptedChatClient Reply(string model, ChatResponse response) => Reply(model, _ => Task.FromResult(response));

    public ScriptedChatClient Throw(string model, Exception exception) => Reply(model, _ => Task.FromException<ChatResponse>(exception));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (log)
        {
            log.Add(new ScriptedCall(Provider, options?.ModelId, messages.ToArray(), options));
        }

        var model = options?.ModelId ?? throw new InvalidOperationException("The router must pass ChatOptions.ModelId.");
        if (!_replies.TryGetValue(model, out var queue) || queue.Count == 0)
        {
            throw new InvalidOperationException($"Test script has no reply left for {Provider}/{model}.");
        }

        return queue.Dequeue()(cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>Builds chat responses for scripts.</summary>
public static class Reply
{
    public static ChatResponse Text(string text, long input = 100, long output = 10, ChatFinishReason? finish = null, double? logprob = null, object? confidence = null)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = finish ?? ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output },
        };
        if (logprob is not null || confidence is not null)
        {
            response.AdditionalProperties = [];
            if (logprob is { } lp)
            {
                response.AdditionalProperties[RoutedPromptsResponseProperties.LogProb] = lp;
            }

            if (confidence is not null)
            {
                response.AdditionalProperties[RoutedPromptsResponseProperties.Confidence] = confidence;
            }
        }

        return response;
    }

    public const string GoodTicket = """{"category":"bug","priority":2}""";
}

/// <summary>Hand-built task descriptors, as the source generator would emit them.</summary>
public static class Tasks
{
    public const string TicketSchema = """
        {
          "type": "object",
          "properties": {
            "category": { "type": "string", "enum": ["billing", "bug", "other"] },
            "priority": { "type": "integer", "minimum": 1, "maximum": 5 }
          },
          "required": ["category", "priority"]
        }
        """;

    public static RoutedTask<Ticket> Triage(
        string name = "Support.Triage",
        Tier tier = Tier.Small,
        Tier maxTier = Tier.Large,
        double? confidenceThreshold = null,
        Func<Ticket, bool>? validator = null,
        Type? validatorType = null,
        string? schema = TicketSchema) =>
        Descriptor(name, tier, maxTier, confidenceThreshold, schema, TestJsonContext.Default.Ticket, validator, validatorType);

    public static RoutedTask<string> Summary(string name = "Support.Summary", Tier tier = Tier.Small, Tier maxTier = Tier.Large, double? confidenceThreshold = null) =>
        Descriptor<string>(name, tier, maxTier, confidenceThreshold, null, null, null, null);

    private static RoutedTask<T> Descriptor<T>(
        string name, Tier tier, Tier maxTier, double? confidenceThreshold, string? schema,
        JsonTypeInfo<T>? typeInfo, Func<T, bool>? validator, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type? validatorType) => new()
        {
            Name = name,
            DeclaringType = "Tests.SupportPrompts",
            MethodName = name.Split('.')[^1] + "Async",
            Tier = tier,
            MaxTier = maxTier,
            Instructions = "Classify the ticket.",
            Template = "Ticket: {text}",
            Parameters = ["text"],
            SchemaJson = schema,
            ConfidenceThreshold = confidenceThreshold,
            JsonTypeInfo = typeInfo,
            Validator = validator,
            ValidatorType = validatorType,
        };

    public static IReadOnlyList<ChatMessage> Messages(string text = "My invoice is wrong") =>
        [new ChatMessage(ChatRole.System, "Classify the ticket."), new ChatMessage(ChatRole.User, "Ticket: " + text)];
}

/// <summary>Records every stopped activity of the RoutedPrompts source while it lives.</summary>
public sealed class RecordedActivities : IDisposable
{
    private readonly List<System.Diagnostics.Activity> _activities = [];
    private readonly System.Diagnostics.ActivityListener _listener;

    public RecordedActivities()
    {
        _listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == RoutedPromptsTelemetry.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (_activities)
                {
                    _activities.Add(a);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The activities stopped so far.</summary>
    public IReadOnlyList<System.Diagnostics.Activity> Stopped
    {
        get
        {
            lock (_activities)
            {
                return [.. _activities];
            }
        }
    }

    /// <summary>The activities of <paramref name="task"/> (their <c>task</c> tag), stopped so far.</summary>
    public List<System.Diagnostics.Activity> Of(string task)
    {
        lock (_activities)
        {
            return _activities.Where(a => (string?)a.GetTagItem("task") == task).ToList();
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>A monitor whose value a test sets; like the options monitor, it tells its listeners.</summary>
public sealed class TestOptionsMonitor(RoutedPromptsOptions value) : IOptionsMonitor<RoutedPromptsOptions>
{
    private readonly List<Action<RoutedPromptsOptions, string?>> _listeners = [];
    private RoutedPromptsOptions _value = value;

    public RoutedPromptsOptions CurrentValue
    {
        get => _value;
        set
        {
            _value = value;
            foreach (var listener in _listeners)
            {
                listener(value, Options.DefaultName);
            }
        }
    }

    public RoutedPromptsOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<RoutedPromptsOptions, string?> listener)
    {
        _listeners.Add(listener);
        return null;
    }
}

/// <summary>A router over scripted providers: <c>openai</c> and <c>azure</c>, one model per tier each.</summary>
public sealed class Harness : IDisposable
{
    public const string SmallModel = "small-model";
    public const string MediumModel = "medium-model";
    public const string LargeModel = "large-model";

    private Harness(ServiceProvider services, List<ScriptedCall> log, ScriptedChatClient openAi, ScriptedChatClient azure, FakeTimeProvider time)
    {
        Services = services;
        Log = log;
        OpenAi = openAi;
        Azure = azure;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public List<ScriptedCall> Log { get; }

    public ScriptedChatClient OpenAi { get; }

    public ScriptedChatClient Azure { get; }

    public FakeTimeProvider Time { get; }

    public PromptRouter Router => Services.GetRequiredService<PromptRouter>();

    /// <summary>Default tiers: each tier served by openai (priced) then azure.</summary>
    public static void DefaultTiers(RoutedPromptsOptions options)
    {
        options.Tiers["Small"] = Tier(SmallModel, 0.15m, 0.6m);
        options.Tiers["Medium"] = Tier(MediumModel, 2.5m, 10m);
        options.Tiers["Large"] = Tier(LargeModel, 10m, 30m);
    }

    public static TierOptions Tier(string model, decimal input, decimal output) => new()
    {
        Deployments =
        [
            new DeploymentOptions { Provider = "openai", Model = model, InputUsdPerMillionTokens = input, OutputUsdPerMillionTokens = output },
            new DeploymentOptions { Provider = "azure", Model = model },
        ],
    };

    public static Harness Create(Action<RoutedPromptsOptions>? configure = null, Action<IServiceCollection>? services = null, IReadOnlyList<RoutedTask>? catalog = null)
    {
        var log = new List<ScriptedCall>();
        var openAi = new ScriptedChatClient("openai", log);
        var azure = new ScriptedChatClient("azure", log);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddKeyedChatClient("openai", openAi);
        collection.AddKeyedChatClient("azure", azure);
        collection.AddSingleton(new RoutedTaskSource(() => catalog ?? []));
        collection.AddRoutedPrompts(configure ?? DefaultTiers);
        // Routing tests script one reply per call: no retries unless a test configures them (resilience tests do).
        collection.PostConfigure<RoutedPromptsOptions>(o => o.Resilience.MaxRetries ??= 0);
        services?.Invoke(collection);
        return new Harness(collection.BuildServiceProvider(), log, openAi, azure, time);
    }

    public void Dispose() => Services.Dispose();
}

/// <summary>Finds the recorded model runs beside the repository.</summary>
public static class Datasets
{
    public static string PathOf(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RoutedPrompts.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No RoutedPrompts.sln above {AppContext.BaseDirectory}; cannot locate ../shared/datasets.");
        }

        var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", name));
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Recorded runs '{name}' not found at {path}. The datasets live in shared/datasets beside the repository clone (never inside it).");
        }

        return path;
    }
}
