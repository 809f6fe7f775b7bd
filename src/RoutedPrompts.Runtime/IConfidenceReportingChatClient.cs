using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// A chat client, or a middleware in a client stack, whose responses carry the answer's confidence signal in
/// <see cref="ChatResponse.AdditionalProperties"/> (<see cref="RoutedPromptsResponseProperties.LogProb"/> or
/// <see cref="RoutedPromptsResponseProperties.Confidence"/>) whenever the provider returns one: the OpenAI
/// log-probability middleware (<c>UseOpenAILogProbabilities()</c>, package <c>RoutedPrompts.OpenAI</c>) and the
/// replay client.
/// </summary>
/// <remarks>
/// A deployment configured with <see cref="DeploymentOptions.LogProbabilities"/> needs one in its provider's client
/// stack: the router finds it with <c>GetService(typeof(IConfidenceReportingChatClient))</c> (which a
/// <see cref="DelegatingChatClient"/> forwards to the clients it wraps) and refuses to call the deployment without it.
/// </remarks>
public interface IConfidenceReportingChatClient : IChatClient
{
}
