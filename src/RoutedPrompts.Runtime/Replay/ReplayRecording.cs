using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Replay;

/// <summary>One model's recorded answer to a query.</summary>
public sealed record ReplayAnswer
{
    /// <summary>The answer text.</summary>
    public required string Text { get; init; }

    /// <summary>Input tokens, when recorded.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Output tokens, when recorded.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>The answer's log-probability, when recorded.</summary>
    public double? LogProb { get; init; }

    /// <summary>The model's self-reported confidence (0..1), when recorded.</summary>
    public double? Confidence { get; init; }

    /// <summary>What the call cost in USD, when recorded.</summary>
    public double? CostUsd { get; init; }

    /// <summary>How long the call took in milliseconds, when recorded.</summary>
    public double? LatencyMs { get; init; }
}

/// <summary>One recorded query: its messages and each model's answer.</summary>
public sealed class ReplayQuery
{
    internal ReplayQuery(string? id, string? split, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, ReplayAnswer> answers, string fingerprint, int line, string key)
    {
        Key = key;
        Id = id;
        Split = split;
        Messages = messages;
        Answers = answers;
        Fingerprint = fingerprint;
        Line = line;
    }

    /// <summary>The query's id in the recording, if any.</summary>
    public string? Id { get; }

    /// <summary>The split (<c>train</c> or <c>test</c>), if recorded.</summary>
    public string? Split { get; }

    /// <summary>The messages, as sent to every model.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Each model's answer, keyed by model id.</summary>
    public IReadOnlyDictionary<string, ReplayAnswer> Answers { get; }

    /// <summary>A fingerprint of the messages (see <see cref="ReplayRecording.Fingerprint"/>), safe to log.</summary>
    public string Fingerprint { get; }

    /// <summary>The 1-based line of the recording the query was read from.</summary>
    public int Line { get; }

    /// <summary>The normalized text the fingerprint hashes (see <see cref="ReplayRecording.Fingerprint"/>).</summary>
    internal string Key { get; }
}

/// <summary>
/// Recorded model runs (JSONL, one query a line: <c>messages</c> and per-model <c>responses</c>) indexed by their
/// messages so a <see cref="ReplayChatClient"/> can answer them in O(1). Ground-truth fields (<c>correct</c>,
/// <c>score</c>, <c>reference</c>) are never read.
/// </summary>
public sealed class ReplayRecording
{
    private readonly Dictionary<string, ReplayQuery> _byFingerprint;

    private ReplayRecording(string sourceName, List<ReplayQuery> queries, Dictionary<string, ReplayQuery> byFingerprint)
    {
        SourceName = sourceName;
        Queries = queries;
        _byFingerprint = byFingerprint;
        Models = queries.SelectMany(q => q.Answers.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        ConfidenceIsLogProbability = queries.Any(q => q.Answers.Values.Any(a => a.Confidence < 0));
    }

    /// <summary>The file or source name the recording was read from.</summary>
    public string SourceName { get; }

    /// <summary>The distinct queries in file order (a repeated request keeps its first occurrence).</summary>
    public IReadOnlyList<ReplayQuery> Queries { get; }

    /// <summary>
    /// Whether the recording's <c>confidence</c> values are natural-log probabilities rather than 0..1 probabilities:
    /// true when any of them is negative (some sources record the log-probability of the model's self-reported
    /// confidence). The replay client then reports <c>exp(confidence)</c>, so the confidence gate sees 0..1.
    /// </summary>
    public bool ConfidenceIsLogProbability { get; }

    /// <summary>Every model id with at least one recorded answer.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Loads a recording from a JSONL file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">A line is malformed; the message names <c>file:line</c> and the problem.</exception>
    public static ReplayRecording Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Load(reader, path);
    }

    /// <summary>Loads a recording from a UTF-8 JSONL stream.</summary>
    /// <param name="stream">The stream (left open).</param>
    /// <param name="sourceName">Names the source in error messages.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">A line is malformed.</exception>
    public static ReplayRecording Load(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        return Load(reader, sourceName);
    }

    /// <summary>Loads a recording from JSONL text.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">Names the source in error messages.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">A line is malformed.</exception>
    public static ReplayRecording Load(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var queries = new List<ReplayQuery>();
        var byFingerprint = new Dictionary<string, ReplayQuery>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var query = ParseLine(line, sourceName, lineNumber);
            if (byFingerprint.TryAdd(query.Fingerprint, query))
            {
                queries.Add(query);
            }
        }

        return new ReplayRecording(sourceName, queries, byFingerprint);
    }

    /// <summary>Finds the recorded query whose messages equal <paramref name="messages"/> (role and text, line endings normalized).</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="query">The recorded query, when found.</param>
    /// <returns>Whether the request was recorded.</returns>
    public bool TryFind(IEnumerable<ChatMessage> messages, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReplayQuery? query)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _byFingerprint.TryGetValue(Fingerprint(messages), out query);
    }

    /// <summary>
    /// A fingerprint of a request's messages: SHA-256 over each message's role and text, line endings normalized to
    /// <c>\n</c>. Identifies a request in errors without quoting it.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <returns>A lowercase hex string.</returns>
    public static string Fingerprint(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Hash(Key(messages));
    }

    /// <summary>
    /// The recorded query most like a request that was not recorded: the one sharing the longest start plus end with the
    /// request's messages (roles and text, normalized as for <see cref="Fingerprint"/>), the first in the file on a tie.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <returns>
    /// The query, and where the request first differs from it: the message's index and the character in its text
    /// (<see langword="null"/> when the roles differ or one has more messages); <see langword="null"/> without queries.
    /// </returns>
    public (ReplayQuery Query, int Message, int? Character)? FindClosest(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var key = Key(messages);
        ReplayQuery? best = null;
        var (bestScore, bestPrefix) = (-1, 0);
        foreach (var query in Queries)
        {
            var other = query.Key;
            var prefix = key.AsSpan().CommonPrefixLength(other);
            var max = Math.Min(key.Length, other.Length) - prefix;
            var suffix = 0;
            while (suffix < max && key[key.Length - 1 - suffix] == other[other.Length - 1 - suffix])
            {
                suffix++;
            }

            if (prefix + suffix > bestScore)
            {
                (best, bestScore, bestPrefix) = (query, prefix + suffix, prefix);
            }
        }

        if (best is null)
        {
            return null;
        }

        // Where the first difference is: the message it falls in, and the character of that message's text.
        var message = key.AsSpan(0, bestPrefix).Count('\u001e');
        var start = bestPrefix == 0 ? 0 : key.LastIndexOf('\u001e', bestPrefix - 1) + 1;
        var role = key.IndexOf('\u001f', start);
        return (best, message, role >= 0 && role < bestPrefix ? bestPrefix - role - 1 : null);
    }

    private static string Key(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            Append(text, message.Role.Value, message.Text);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string role, string? content) =>
        text.Append(role.ToLowerInvariant()).Append('\u001f')
            .Append((content ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
            .Append('\u001e');

    private static string Hash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    private static ReplayQuery ParseLine(string line, string source, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(QuoteNamedLiterals(line));
        }
        catch (JsonException ex)
        {
            throw Malformed(source, lineNumber, $"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(source, lineNumber, $"expected a JSON object, found {root.ValueKind}");
            }

            var id = OptionalString(root, "id", source, lineNumber);
            var split = OptionalString(root, "split", source, lineNumber);
            if (!root.TryGetProperty("messages", out var messagesElement) || messagesElement.ValueKind != JsonValueKind.Array || messagesElement.GetArrayLength() == 0)
            {
                throw Malformed(source, lineNumber, "'messages' must be a non-empty array");
            }

            var messages = new List<ChatMessage>();
            var key = new StringBuilder();
            var index = 0;
            foreach (var message in messagesElement.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object
                    || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(role.GetString())
                    || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                {
                    throw Malformed(source, lineNumber, $"messages[{index}] must be an object with string 'role' and 'content'");
                }

                var roleText = role.GetString()!;
                var contentText = content.GetString()!;
                messages.Add(new ChatMessage(new ChatRole(roleText), contentText));
                Append(key, roleText, contentText);
                index++;
            }

            if (!root.TryGetProperty("responses", out var responses) || responses.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(source, lineNumber, "'responses' must be an object keyed by model id");
            }

            var answers = new Dictionary<string, ReplayAnswer>(StringComparer.Ordinal);
            foreach (var response in responses.EnumerateObject())
            {
                answers[response.Name] = ParseAnswer(response, source, lineNumber);
            }

            var keyText = key.ToString();
            return new ReplayQuery(id, split, messages, answers, Hash(keyText), lineNumber, keyText);
        }
    }

    private static ReplayAnswer ParseAnswer(JsonProperty response, string source, int lineNumber)
    {
        var r = response.Value;
        var where = $"responses.{response.Name}";
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
        {
            throw Malformed(source, lineNumber, $"{where} must be an object with a string 'text'");
        }

        return new ReplayAnswer
        {
            Text = text.GetString()!,
            InputTokens = OptionalTokens(r, "input_tokens", where, source, lineNumber),
            OutputTokens = OptionalTokens(r, "output_tokens", where, source, lineNumber),
            LogProb = OptionalSignal(r, "logprob", where, source, lineNumber),
            Confidence = OptionalSignal(r, "confidence", where, source, lineNumber),
            CostUsd = OptionalCost(r, "cost_usd", where, source, lineNumber),
            LatencyMs = OptionalLatency(r, "latency_ms", where, source, lineNumber),
        };
    }

    /// <summary>
    /// The line with the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> that Python's <c>json</c> module writes
    /// for numbers (invalid JSON) turned into the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>, which
    /// the numeric fields accept (<see cref="OptionalNumber"/>). Text inside strings is never touched.
    /// </summary>
    private static string QuoteNamedLiterals(string line)
    {
        if (!line.Contains("NaN", StringComparison.Ordinal) && !line.Contains("Infinity", StringComparison.Ordinal))
        {
            return line;
        }

        var text = new StringBuilder(line.Length + 16);
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inString)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < line.Length)
                {
                    text.Append(line[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            var literal = NamedLiterals.FirstOrDefault(l => line.AsSpan(i).StartsWith(l, StringComparison.Ordinal));
            if (literal is not null)
            {
                text.Append('"').Append(literal).Append('"');
                i += literal.Length - 1;
                continue;
            }

            inString = c == '"';
            text.Append(c);
        }

        return text.ToString();
    }

    private static readonly string[] NamedLiterals = ["NaN", "Infinity", "-Infinity"];

    /// <summary>
    /// <c>logprob</c> or <c>confidence</c>: <c>NaN</c> is no signal (<see langword="null"/>); <c>-Infinity</c> is a
    /// log-probability of probability 0; <c>Infinity</c> is malformed.
    /// </summary>
    private static double? OptionalSignal(JsonElement element, string name, string where, string source, int lineNumber) =>
        OptionalNumber(element, name, where, source, lineNumber) switch
        {
            double.NaN => null,
            double.PositiveInfinity => throw Malformed(source, lineNumber, $"{where}.{name} is Infinity; a log-probability is at most 0 and a confidence at most 1"),
            var n => n,
        };

    /// <summary><c>latency_ms</c>: <c>NaN</c> is not recorded (<see langword="null"/>); an infinite or negative latency is malformed.</summary>
    private static double? OptionalLatency(JsonElement element, string name, string where, string source, int lineNumber) =>
        OptionalNumber(element, name, where, source, lineNumber) switch
        {
            double.NaN => null,
            { } n when !double.IsFinite(n) || n < 0 => throw Malformed(source, lineNumber, string.Create(CultureInfo.InvariantCulture,
                $"{where}.{name} must be a finite number of milliseconds, at least 0, found {n}")),
            var n => n,
        };

    private static string? OptionalString(JsonElement element, string name, string source, int lineNumber) =>
        Optional(element, name, JsonValueKind.String, $"'{name}'", "a string", source, lineNumber)?.GetString();

    /// <summary>A number, or one of the named literals <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> (bare, as Python writes them, or quoted).</summary>
    private static double? OptionalNumber(JsonElement element, string name, string where, string source, int lineNumber)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => throw Malformed(source, lineNumber, $"{where}.{name} must be a number, found String"),
            };
        }

        return Optional(element, name, JsonValueKind.Number, $"{where}.{name}", "a number", source, lineNumber)?.GetDouble();
    }

    /// <summary>An optional property: absent or <c>null</c> gives <see langword="null"/>; any kind but <paramref name="kind"/> is malformed.</summary>
    private static JsonElement? Optional(JsonElement element, string name, JsonValueKind kind, string label, string expected, string source, int lineNumber)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == kind ? value : throw Malformed(source, lineNumber, $"{label} must be {expected}, found {value.ValueKind}");
    }

    private static long? OptionalTokens(JsonElement element, string name, string where, string source, int lineNumber)
    {
        var number = OptionalNumber(element, name, where, source, lineNumber);
        return number switch
        {
            null => null,
            >= 0 and <= MalformedResponseException.MaxPlausibleTokens and var n when n == Math.Floor(n) => (long)n,
            var n => throw Malformed(source, lineNumber, string.Create(CultureInfo.InvariantCulture,
                $"{where}.{name} must be a whole number from 0 to {MalformedResponseException.MaxPlausibleTokens}, found {n}")),
        };
    }

    /// <summary>A recorded cost the router would accept (see <see cref="MalformedResponseException"/>), or <see langword="null"/>.</summary>
    private static double? OptionalCost(JsonElement element, string name, string where, string source, int lineNumber)
    {
        var number = OptionalNumber(element, name, where, source, lineNumber);
        return number is not { } usd || MalformedResponseException.IsPlausibleCost(usd)
            ? number
            : throw Malformed(source, lineNumber, string.Create(CultureInfo.InvariantCulture,
                $"{where}.{name} must be a cost in USD from 0 to {MalformedResponseException.MaxPlausibleCostUsd}, found {usd}"));
    }

    private static InvalidDataException Malformed(string source, int lineNumber, string problem, Exception? inner = null) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source}:{lineNumber}: {problem}."), inner);
}
