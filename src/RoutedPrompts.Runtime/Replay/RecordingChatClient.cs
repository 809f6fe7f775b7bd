using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Replay;

/// <summary>
/// A chat client that records every answer its inner client gives into a <see cref="ReplayRecorder"/>, so real calls
/// become a recording a <see cref="ReplayChatClient"/> answers from (the replay format of <c>docs/file-formats.md</c>).
/// Failures are not recorded: they pass through unchanged.
/// </summary>
/// <remarks>
/// Each answer is recorded under the request's messages and its model id (<see cref="ChatOptions.ModelId"/>, else the
/// response's), with its text, token counts, the confidence the router reads
/// (<see cref="RoutedPromptsResponseProperties.ReadConfidence"/>), its cost when the response reports one
/// (<see cref="RoutedPromptsResponseProperties.RecordedCostUsd"/>; otherwise a priced deployment prices the recorded
/// tokens on replay) and its latency (<see cref="RoutedPromptsResponseProperties.RecordedLatencyMs"/> when the response
/// carries one, as a cached or replayed answer does; else measured here).
/// </remarks>
public sealed class RecordingChatClient : DelegatingChatClient
{
    private readonly ReplayRecorder _recorder;
    private readonly TimeProvider _time;

    /// <summary>Creates a recording client.</summary>
    /// <param name="inner">The client whose answers are recorded.</param>
    /// <param name="recorder">Where the answers go (one recorder may serve many clients).</param>
    /// <param name="timeProvider">Measures latency; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RecordingChatClient(IChatClient inner, ReplayRecorder recorder, TimeProvider? timeProvider = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _recorder = recorder;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var started = _time.GetTimestamp();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            _recorder.Add(list, options?.ModelId ?? response.ModelId, response, _time.GetElapsedTime(started));
        }

        return response!;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var started = _time.GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        var response = updates.ToChatResponse();
        _recorder.Add(list, options?.ModelId ?? response.ModelId, response, _time.GetElapsedTime(started));
    }
}

/// <summary>
/// Collects answers (from <see cref="RecordingChatClient"/>s) and writes them in the replay format: one JSONL row per
/// distinct request (<c>id</c>, <c>messages</c>, <c>responses</c> per model). Thread-safe. A model's first answer to a
/// request is kept, as the replay reader keeps a repeated request's first row.
/// </summary>
public sealed class ReplayRecorder
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);

    /// <summary>How many answers were recorded (over every request and model).</summary>
    public int Count => _rows.Values.Sum(r => r.Answers.Count);

    /// <summary>Records one answer.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="modelId">The model that answered.</param>
    /// <param name="response">The answer.</param>
    /// <param name="latency">How long the call took (used when the response carries no recorded latency).</param>
    /// <exception cref="ArgumentException">No model id: a replay client could not look the answer up.</exception>
    public void Add(IReadOnlyList<ChatMessage> messages, string? modelId, ChatResponse response, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(response);
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("A recorded answer needs a model id (ChatOptions.ModelId or ChatResponse.ModelId): the replay client looks answers up by it.", nameof(modelId));
        }

        var fingerprint = ReplayRecording.Fingerprint(messages);
        var row = _rows.GetOrAdd(fingerprint, static (key, m) => new Row(key, m.Select(x => (x.Role.Value, x.Text ?? string.Empty)).ToArray()), messages);
        row.Answers.TryAdd(modelId, new ReplayAnswer
        {
            Text = response.Text ?? string.Empty,
            InputTokens = response.Usage?.InputTokenCount,
            OutputTokens = response.Usage?.OutputTokenCount,
            Confidence = RoutedPromptsResponseProperties.ReadConfidence(response),
            CostUsd = ResponseConfidence.Number(response.AdditionalProperties, RoutedPromptsResponseProperties.RecordedCostUsd),
            LatencyMs = ResponseConfidence.Number(response.AdditionalProperties, RoutedPromptsResponseProperties.RecordedLatencyMs) ?? latency.TotalMilliseconds,
        });
    }

    /// <summary>Writes the recording: one JSON object a line, requests ordered by id (a prefix of their fingerprint) so re-recordings diff well.</summary>
    /// <param name="writer">Where the lines go.</param>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var row in _rows.Values.OrderBy(r => r.Fingerprint, StringComparer.Ordinal))
        {
            writer.Write(row.ToJson());
            writer.Write('\n');
        }
    }

    /// <summary>Writes the recording to a file (through a temporary file renamed into place, so a reader never sees half of it).</summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                WriteTo(writer);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private sealed record Row(string Fingerprint, (string Role, string Content)[] Messages)
    {
        public ConcurrentDictionary<string, ReplayAnswer> Answers { get; } = new(StringComparer.Ordinal);

        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, Writer))
            {
                json.WriteStartObject();
                json.WriteString("id", Fingerprint[..16]);
                json.WriteStartArray("messages");
                foreach (var (role, content) in Messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role", role);
                    json.WriteString("content", content);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartObject("responses");
                foreach (var (model, answer) in Answers.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    json.WriteStartObject(model);
                    json.WriteString("text", answer.Text);
                    Number(json, "input_tokens", answer.InputTokens);
                    Number(json, "output_tokens", answer.OutputTokens);
                    Number(json, "cost_usd", answer.CostUsd);
                    Number(json, "latency_ms", answer.LatencyMs);
                    Number(json, "confidence", answer.Confidence);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void Number(Utf8JsonWriter json, string name, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                json.WriteNumber(name, v);
            }
        }

        private static void Number(Utf8JsonWriter json, string name, long? value)
        {
            if (value is { } v)
            {
                json.WriteNumber(name, v);
            }
        }
    }
}
