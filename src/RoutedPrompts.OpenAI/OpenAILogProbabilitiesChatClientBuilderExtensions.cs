using RoutedPrompts;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="OpenAILogProbabilitiesChatClient"/> to a chat client pipeline.</summary>
public static class OpenAILogProbabilitiesChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the OpenAI log-probability middleware: it asks for token log-probabilities and writes the answer's
    /// log-probability into <see cref="ChatResponse.AdditionalProperties"/>
    /// (<see cref="RoutedPromptsResponseProperties.LogProb"/>), the signal of RoutedPrompts' confidence gate. Call it
    /// last, so it sits directly above the OpenAI client and below any cache:
    /// <c>builder.UseDistributedCache(cache).UseOpenAILogProbabilities()</c>.
    /// </summary>
    /// <param name="builder">The provider's builder (for example from <c>services.AddKeyedChatClient("openai", client)</c>).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseOpenAILogProbabilities(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(static inner => new OpenAILogProbabilitiesChatClient(inner));
    }
}
