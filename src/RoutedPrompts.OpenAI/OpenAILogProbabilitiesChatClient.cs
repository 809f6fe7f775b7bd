using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// A chat client middleware for OpenAI-compatible endpoints (the OpenAI SDK through <c>AsIChatClient()</c>) that asks
/// for token log-probabilities and writes the answer's total log-probability into
/// <see cref="ChatResponse.AdditionalProperties"/> under <see cref="RoutedPromptsResponseProperties.LogProb"/>, the
/// confidence signal the router's gate reads. Add it with <c>UseOpenAILogProbabilities()</c> on the provider's
/// <see cref="ChatClientBuilder"/>.
/// </summary>
/// <remarks>
/// <para>
/// It sets <see cref="ChatOptions.RawRepresentationFactory"/> on a copy of the request's options. A factory already
/// there is kept: the OpenAI <c>ChatCompletionOptions</c> it returns only gets <c>IncludeLogProbabilities</c> set to
/// <see langword="true"/> (an explicit <see langword="false"/> is overridden: adding the middleware is the request).
/// The log-probabilities are read from the raw <c>ChatCompletion</c> the OpenAI client returns, so the middleware must
/// sit directly above the provider: middleware that drops <see cref="ChatResponse.RawRepresentation"/> (a cache: its
/// hits have none) goes above it, where it keeps the written property.
/// Microsoft.Extensions.AI's distributed cache does (as a JSON number):
/// <c>builder.UseDistributedCache(cache).UseOpenAILogProbabilities()</c>.
/// </para>
/// <para>
/// Every request through it asks for log-probabilities, so register it only for providers whose models return them
/// (OpenAI's reasoning models reject the request; give them a provider key of their own). Streaming passes through
/// unchanged (the router does not stream).
/// </para>
/// </remarks>
public sealed class OpenAILogProbabilitiesChatClient : DelegatingChatClient, IConfidenceReportingChatClient
{
    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The OpenAI-compatible client (the OpenAI SDK's chat client through <c>AsIChatClient()</c>).</param>
    public OpenAILogProbabilitiesChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, OpenAILogProbabilities.Requesting(options), cancellationToken).ConfigureAwait(false);
        if (OpenAILogProbabilities.Read(response.RawRepresentation) is { } logProbability)
        {
            (response.AdditionalProperties ??= [])[RoutedPromptsResponseProperties.LogProb] = logProbability;
        }

        return response;
    }
}
