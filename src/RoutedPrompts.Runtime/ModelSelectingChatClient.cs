using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// One provider's <see cref="IChatClient"/> for many models: forwards each request to a client for the request's
/// <see cref="ChatOptions.ModelId"/>, created once per model by a factory. Use it only for an <see cref="IChatClient"/>
/// that is bound to one model and ignores <see cref="ChatOptions.ModelId"/>, so a single keyed registration serves every
/// deployment of that provider:
/// <code>services.AddKeyedChatClient("local", _ => new ModelSelectingChatClient(m => new BoundToOneModelClient(m)));</code>
/// </summary>
/// <remarks>
/// Not needed for OpenAI: Microsoft.Extensions.AI.OpenAI sends <see cref="ChatOptions.ModelId"/> per request, so register
/// <c>new OpenAIClient(key).GetChatClient(anyModel).AsIChatClient()</c> directly (the router sets the deployment's
/// model on every request).
/// </remarks>
public sealed class ModelSelectingChatClient : IChatClient
{
    private readonly Func<string, IChatClient> _factory;
    // Lazy: on a concurrent first request for a model the factory still runs once, so no client is created and leaked.
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates the client.</summary>
    /// <param name="factory">Creates the client for one model id; called once per model.</param>
    public ModelSelectingChatClient(Func<string, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientFor(options).GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientFor(options).GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }

        _clients.Clear();
    }

    private IChatClient ClientFor(ChatOptions? options)
    {
        var model = options?.ModelId;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new InvalidOperationException(
                "ModelSelectingChatClient needs ChatOptions.ModelId to pick a model; PromptRouter sets it from the deployment's Model.");
        }

        return _clients.GetOrAdd(model, static (m, factory) => new Lazy<IChatClient>(() => factory(m)), _factory).Value;
    }
}
