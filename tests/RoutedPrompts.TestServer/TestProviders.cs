using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace RoutedPrompts.Testing;

/// <summary>Registers providers as the README says: the OpenAI SDK through <c>AsIChatClient()</c>, keyed per provider, its own retries off.</summary>
public static class TestProviders
{
    /// <summary>
    /// Registers <paramref name="provider"/> as a keyed <see cref="IChatClient"/> talking to <paramref name="server"/>
    /// (see <see cref="ChatClient"/>). <paramref name="wrap"/>, when given, wraps the client (the router calls the
    /// wrapper); <paramref name="logProbabilities"/> adds <c>UseOpenAILogProbabilities()</c> below it, directly above
    /// the OpenAI client.
    /// </summary>
    public static IServiceCollection AddOpenAITestProvider(this IServiceCollection services, string provider, OpenAITestServer server, string? apiKey = null, Func<IChatClient, IChatClient>? wrap = null, bool logProbabilities = false)
    {
        var builder = services.AddKeyedChatClient(provider, _ => ChatClient(server, apiKey));
        if (wrap is not null)
        {
            builder.Use(wrap);
        }

        if (logProbabilities)
        {
            builder.UseOpenAILogProbabilities();
        }

        return services;
    }

    /// <summary>
    /// The OpenAI SDK's chat client through <c>AsIChatClient()</c> for <paramref name="server"/> with
    /// <paramref name="apiKey"/> (the server's key by default). The SDK's retries are off (the router's pipeline
    /// retries) and its network timeout is long (the router's per-try timeout decides). One client serves every model:
    /// the router's <c>ChatOptions.ModelId</c> picks the model per request.
    /// </summary>
    public static IChatClient ChatClient(OpenAITestServer server, string? apiKey = null) =>
        new OpenAIClient(new ApiKeyCredential(apiKey ?? server.ApiKey), new OpenAIClientOptions
        {
            Endpoint = server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(2),
        }).GetChatClient("unused-default-model").AsIChatClient();
}
