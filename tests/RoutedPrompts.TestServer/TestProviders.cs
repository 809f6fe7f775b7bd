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
    /// with <paramref name="apiKey"/> (the server's key by default). The SDK's retries are off (the router's pipeline
    /// retries) and its network timeout is long (the router's per-try timeout decides). <paramref name="wrap"/>, when
    /// given, wraps the client (the router calls the wrapper).
    /// </summary>
    public static IServiceCollection AddOpenAITestProvider(this IServiceCollection services, string provider, OpenAITestServer server, string? apiKey = null, Func<IChatClient, IChatClient>? wrap = null)
    {
        var client = new OpenAIClient(new ApiKeyCredential(apiKey ?? server.ApiKey), new OpenAIClientOptions
        {
            Endpoint = server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(2),
        });
        // One client for every model: the router's ChatOptions.ModelId picks the model per request.
        var builder = services.AddKeyedChatClient(provider, _ => client.GetChatClient("unused-default-model").AsIChatClient());
        if (wrap is not null)
        {
            builder.Use(wrap);
        }

        return services;
    }
}
