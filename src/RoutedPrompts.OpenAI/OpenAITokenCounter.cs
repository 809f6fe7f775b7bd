using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace RoutedPrompts;

/// <summary>
/// Counts input tokens with the OpenAI encodings (o200k_base, cl100k_base; Microsoft.ML.Tokenizers), for routing rules'
/// input-token conditions. A model the encodings do not know (<c>TiktokenTokenizer.CreateForModel</c> has no mapping for
/// it) is not counted, so the router estimates it and says so. A count is the messages' text tokens plus OpenAI's chat
/// framing: 3 tokens per message and 3 for the reply's priming. Register it with
/// <see cref="OpenAITokenCounterServiceCollectionExtensions.AddOpenAITokenCounter"/>. Thread-safe; one tokenizer per model, created once.
/// </summary>
public sealed class OpenAITokenCounter : IPromptTokenCounter
{
    /// <summary>Tokens OpenAI's chat format adds per message (role and separators).</summary>
    public const int TokensPerMessage = 3;

    /// <summary>Tokens OpenAI's chat format adds once per request (the assistant reply's priming).</summary>
    public const int TokensPerRequest = 3;

    private readonly ConcurrentDictionary<string, Tokenizer?> _tokenizers = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public bool TryCountTokens(string model, IReadOnlyList<ChatMessage> messages, out int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(messages);
        tokens = 0;
        if (_tokenizers.GetOrAdd(model, Create) is not { } tokenizer)
        {
            return false;
        }

        long count = TokensPerRequest;
        foreach (var message in messages)
        {
            count += TokensPerMessage + tokenizer.CountTokens(message.Text);
        }

        tokens = (int)Math.Min(int.MaxValue, count);
        return true;
    }

    private static Tokenizer? Create(string model)
    {
        try
        {
            return TiktokenTokenizer.CreateForModel(model);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            return null; // not an OpenAI model this library maps to an encoding
        }
    }
}

/// <summary>Registers the <see cref="OpenAITokenCounter"/>.</summary>
public static class OpenAITokenCounterServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OpenAITokenCounter"/> as the <see cref="IPromptTokenCounter"/> (unless one is registered), so
    /// routing rules with <c>MinInputTokens</c>/<c>MaxInputTokens</c> count OpenAI models' tokens exactly instead of estimating.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddOpenAITokenCounter(this Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IPromptTokenCounter, OpenAITokenCounter>(services);
        return services;
    }
}
