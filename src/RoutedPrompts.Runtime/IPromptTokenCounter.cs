using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// Counts a request's input tokens with a model's own tokenizer, for routing rules with an input-token condition
/// (<see cref="RoutingRuleConditions.MinInputTokens"/>, <see cref="RoutingRuleConditions.MaxInputTokens"/>). Optional:
/// resolved from the service provider; without one (or for a model it does not know) the router estimates the count and
/// says so (<see cref="RouteDecision.InputTokensEstimated"/>). Package <c>RoutedPrompts.OpenAI</c> registers one for
/// OpenAI models (<c>services.AddOpenAITokenCounter()</c>). Must be thread-safe.
/// </summary>
public interface IPromptTokenCounter
{
    /// <summary>Counts the tokens of <paramref name="messages"/>' text as <paramref name="model"/> would read them.</summary>
    /// <param name="model">The model id (a deployment's <see cref="DeploymentOptions.Model"/>).</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="tokens">The count, when the model's tokenizer is known.</param>
    /// <returns><see langword="true"/> when the model's tokenizer is known and <paramref name="tokens"/> is its count.</returns>
    bool TryCountTokens(string model, IReadOnlyList<ChatMessage> messages, out int tokens);
}
