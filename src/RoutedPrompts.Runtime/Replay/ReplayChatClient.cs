using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Replay;

/// <summary>Options of a <see cref="ReplayChatClient"/>.</summary>
public sealed class ReplayChatClientOptions
{
    /// <summary>
    /// Whether a <see cref="ReplayMissException"/> quotes the start of the request's last message (for debugging a
    /// recording). Off by default: misses name the request by its fingerprint only.
    /// </summary>
    public bool IncludePromptSnippetInErrors { get; set; }

    /// <summary>How many characters of the prompt a miss quotes when <see cref="IncludePromptSnippetInErrors"/> is on.</summary>
    public int SnippetLength { get; set; } = 120;
}

/// <summary>
/// An <see cref="IChatClient"/> that answers from a <see cref="ReplayRecording"/>: the request's messages select the
/// recorded query and <see cref="ChatOptions.ModelId"/> selects the model's answer. It never invents an answer: a
/// request it cannot answer throws a <see cref="ReplayMissException"/>. It reports the recorded confidence
/// (<see cref="IConfidenceReportingChatClient"/>), so deployments answered from a recording may set
/// <see cref="DeploymentOptions.LogProbabilities"/>.
/// </summary>
public sealed class ReplayChatClient : IConfidenceReportingChatClient
{
    private readonly ReplayRecording _recording;
    private readonly ReplayChatClientOptions _options;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a replay client.</summary>
    /// <param name="recording">The recorded runs to answer from.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public ReplayChatClient(ReplayRecording recording, ReplayChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        _recording = recording;
        _options = options ?? new ReplayChatClientOptions();
        _metadata = new ChatClientMetadata("replay", null, null);
    }

    /// <summary>The recording this client answers from.</summary>
    public ReplayRecording Recording => _recording;

    /// <inheritdoc />
    /// <exception cref="ReplayMissException">No model id was given, the request was not recorded, or the model has no recorded answer to it.</exception>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var (modelId, answer) = Find(messages, options);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Text))
        {
            ModelId = modelId,
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage(answer),
            AdditionalProperties = Properties(answer, _recording.ConfidenceIsLogProbability),
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    /// <exception cref="ReplayMissException">As for <see cref="GetResponseAsync"/>.</exception>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var contents = new List<AIContent> { new TextContent(response.Text) };
        if (response.Usage is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ModelId = response.ModelId,
            FinishReason = response.FinishReason,
            AdditionalProperties = response.AdditionalProperties,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private (string ModelId, ReplayAnswer Answer) Find(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var modelId = options?.ModelId;
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ReplayMissException(
                $"Replay of {_recording.SourceName} needs ChatOptions.ModelId to pick a recorded model (one of {string.Join(", ", _recording.Models)}).",
                ReplayRecording.Fingerprint(list), null, _recording.Models);
        }

        if (!_recording.TryFind(list, out var query))
        {
            var fingerprint = ReplayRecording.Fingerprint(list);
            var closest = _recording.FindClosest(list);
            throw new ReplayMissException(
                $"Replay of {_recording.SourceName} has no recorded request with fingerprint {fingerprint} ({list.Count} message(s), model {modelId}).{Closest(closest)}{Snippet(list)}",
                fingerprint, modelId, [])
            {
                ClosestQuery = closest?.Query,
                RequestRecorded = false,
            };
        }

        if (!query.Answers.TryGetValue(modelId, out var answer))
        {
            var recorded = query.Answers.Keys.Order(StringComparer.Ordinal).ToArray();
            throw new ReplayMissException(
                $"Replay of {_recording.SourceName} has request {query.Id ?? query.Fingerprint} (line {query.Line}) but no answer from model '{modelId}'. " +
                $"Recorded models for it: {(recorded.Length == 0 ? "none" : string.Join(", ", recorded))}.{Snippet(list)}",
                query.Fingerprint, modelId, recorded);
        }

        return (modelId, answer);
    }

    /// <summary>Names the closest recorded request and where the request first differs from it (never quoting either).</summary>
    private static string Closest((ReplayQuery Query, int Message, int? Character)? closest) => closest switch
    {
        null => " The recording has no requests.",
        var (query, message, character) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $" Closest recorded request: {query.Id ?? query.Fingerprint} (line {query.Line}), which first differs at messages[{message}]{(character is { } c ? $" character {c}" : " (its role, or a message one of them lacks)")}."),
    };

    private string Snippet(IReadOnlyList<ChatMessage> messages)
    {
        if (!_options.IncludePromptSnippetInErrors || messages.Count == 0)
        {
            return string.Empty;
        }

        var text = messages[^1].Text ?? string.Empty;
        var length = Math.Clamp(_options.SnippetLength, 0, text.Length);
        return $" Last message starts: \"{text[..length]}\"";
    }

    private static UsageDetails? Usage(ReplayAnswer answer) =>
        answer.InputTokens is null && answer.OutputTokens is null
            ? null
            : new UsageDetails
            {
                InputTokenCount = answer.InputTokens,
                OutputTokenCount = answer.OutputTokens,
                TotalTokenCount = (answer.InputTokens ?? 0) + (answer.OutputTokens ?? 0),
            };

    private static AdditionalPropertiesDictionary? Properties(ReplayAnswer answer, bool confidenceIsLogProbability)
    {
        var properties = new AdditionalPropertiesDictionary();
        Add(properties, RoutedPromptsResponseProperties.LogProb, answer.LogProb);
        Add(properties, RoutedPromptsResponseProperties.Confidence, confidenceIsLogProbability && answer.Confidence is { } c ? Math.Exp(c) : answer.Confidence);
        Add(properties, RoutedPromptsResponseProperties.RecordedCostUsd, answer.CostUsd);
        Add(properties, RoutedPromptsResponseProperties.RecordedLatencyMs, answer.LatencyMs);
        return properties.Count == 0 ? null : properties;

        static void Add(AdditionalPropertiesDictionary properties, string key, double? value)
        {
            if (value is { } v)
            {
                properties[key] = v;
            }
        }
    }
}

/// <summary>A <see cref="ReplayChatClient"/> could not answer a request from its recording.</summary>
public sealed class ReplayMissException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing (without prompt text unless snippets were enabled).</param>
    /// <param name="fingerprint">The request's fingerprint.</param>
    /// <param name="modelId">The requested model id, if any.</param>
    /// <param name="recordedModels">The models recorded for the request (or the recording), if any.</param>
    public ReplayMissException(string message, string? fingerprint, string? modelId, IReadOnlyList<string> recordedModels)
        : base(message)
    {
        Fingerprint = fingerprint;
        ModelId = modelId;
        RecordedModels = recordedModels ?? [];
    }

    /// <summary>The request's fingerprint (see <see cref="ReplayRecording.Fingerprint"/>).</summary>
    public string? Fingerprint { get; }

    /// <summary>The requested model id, or <see langword="null"/> when none was given.</summary>
    public string? ModelId { get; }

    /// <summary>The models that have a recorded answer to the request (or, without a model id, in the recording).</summary>
    public IReadOnlyList<string> RecordedModels { get; }

    /// <summary>
    /// When the request itself was not recorded: the recorded query most like it (see
    /// <see cref="ReplayRecording.FindClosest"/>), named in the message; otherwise <see langword="null"/>.
    /// </summary>
    public ReplayQuery? ClosestQuery { get; init; }

    /// <summary>
    /// Whether the recording has the request (then only the model's answer is missing). When it does not, no model of
    /// the same recording can answer it: the router stops asking deployments replayed from that recording.
    /// </summary>
    public bool RequestRecorded { get; init; } = true;
}
