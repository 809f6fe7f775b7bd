using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// Caches responses on disk, keyed by deployment (provider and model) and request (messages and response format), so
/// a re-run of <c>eval</c> costs nothing and gives the same numbers. Failures are not cached.
/// </summary>
public sealed class DiskCacheChatClient : DelegatingChatClient
{
    private readonly string _directory;
    private readonly string _provider;

    /// <summary>Creates the cache.</summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="directory">The cache directory (created when needed).</param>
    /// <param name="provider">The provider key (part of the cache key).</param>
    public DiskCacheChatClient(IChatClient inner, string directory, string provider)
        : base(inner)
    {
        _directory = directory;
        _provider = provider;
    }

    /// <summary>How many responses were served from the cache.</summary>
    public int Hits => _hits;

    private int _hits;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var path = Path.Combine(_directory, Key(list, options) + ".json");
        if (File.Exists(path))
        {
            Interlocked.Increment(ref _hits);
            return Read(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }

        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(_directory);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temp, Write(response), cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return response;
    }

    private string Key(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var text = new StringBuilder().Append(_provider).Append('\n').Append(options?.ModelId).Append('\n');
        text.Append(options?.ResponseFormat is ChatResponseFormatJson json ? json.Schema?.GetRawText() ?? "json" : "text").Append('\n');
        // The request itself is identified the way the replay client identifies it.
        text.Append(RoutedPrompts.Replay.ReplayRecording.Fingerprint(messages));

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private sealed record Entry(string Text, string? FinishReason, long? InputTokens, long? OutputTokens, Dictionary<string, double>? Properties);

    private static string Write(ChatResponse response) => JsonSerializer.Serialize(new Entry(
        response.Text,
        response.FinishReason?.Value,
        response.Usage?.InputTokenCount,
        response.Usage?.OutputTokenCount,
        response.AdditionalProperties?.Where(p => p.Value is double).ToDictionary(p => p.Key, p => (double)p.Value!)));

    private static ChatResponse Read(string json)
    {
        var entry = JsonSerializer.Deserialize<Entry>(json)!;
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, entry.Text))
        {
            FinishReason = entry.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            Usage = entry.InputTokens is null && entry.OutputTokens is null ? null : new UsageDetails { InputTokenCount = entry.InputTokens, OutputTokenCount = entry.OutputTokens },
        };
        if (entry.Properties is { Count: > 0 } properties)
        {
            response.AdditionalProperties = [];
            foreach (var (key, value) in properties)
            {
                response.AdditionalProperties[key] = value;
            }
        }

        return response;
    }
}
