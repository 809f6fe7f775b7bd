using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>The eval response cache: a re-run gives the same numbers, the confidence signal included.</summary>
public sealed class DiskCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-cache-").FullName;
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "Which letter? A, B, C or D.")];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class ScriptedClient(Func<ChatResponse> respond) : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(respond());
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// What the OpenAI client returns when asked for log-probabilities: the signal is only in the raw completion, where
    /// the log-probability middleware (<see cref="OpenAILogProbabilitiesChatClient"/>) reads it.
    /// </summary>
#pragma warning disable OPENAI001 // the SDK's model factory ("for evaluation purposes") is how a test builds a completion
    private static ChatResponse OpenAIAnswer(string text, float logProbability) => new(new ChatMessage(ChatRole.Assistant, text))
    {
        RawRepresentation = OpenAIChatModelFactory.ChatCompletion(
            id: "chatcmpl-1",
            content: new ChatMessageContent(text),
            contentTokenLogProbabilities: [OpenAIChatModelFactory.ChatTokenLogProbabilityDetails(text, logProbability, null, [])]),
        Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 1 },
    };
#pragma warning restore OPENAI001

    [Fact]
    public async Task A_cached_answer_keeps_the_confidence_the_middleware_read_from_the_raw_OpenAI_log_probabilities()
    {
        var inner = new ScriptedClient(() => OpenAIAnswer("B", -0.25f));
        var cache = new DiskCacheChatClient(new OpenAILogProbabilitiesChatClient(inner), _dir, "openai");
        var options = new ChatOptions { ModelId = "gpt-4o-mini" };

        var first = await cache.GetResponseAsync(Question, options);
        var second = await cache.GetResponseAsync(Question, options);

        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, cache.Hits);
        Assert.Null(second.RawRepresentation); // the raw completion is not cached ...
        var confidence = RoutedPromptsResponseProperties.ReadConfidence(first);
        Assert.Equal(Math.Exp(-0.25), confidence!.Value, 6);
        Assert.Equal(confidence, RoutedPromptsResponseProperties.ReadConfidence(second)); // ... its signal is
        Assert.Equal("B", second.Text);
        Assert.Equal(20, second.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task A_cached_answer_keeps_its_cached_input_tokens_and_the_providers_refusal()
    {
        // A re-run from the cache must price and gate the answer as the live call was: cached input tokens are priced
        // apart, and a structured-output refusal (ErrorContent code Refusal, empty text) is a Refusal, not Empty.
        var refusal = new ChatMessage(ChatRole.Assistant, [new ErrorContent("I can't help with that.") { ErrorCode = "Refusal" }]);
        var inner = new ScriptedClient(() => new ChatResponse(refusal) { Usage = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 800, OutputTokenCount = 0 } });
        var cache = new DiskCacheChatClient(inner, _dir, "openai");
        var options = new ChatOptions { ModelId = "gpt-4o-mini" };

        var live = await cache.GetResponseAsync(Question, options);
        var cached = await cache.GetResponseAsync(Question, options);

        Assert.Equal(1, inner.Calls);
        Assert.Equal(800, cached.Usage?.CachedInputTokenCount);
        Assert.Equal(live.Usage?.InputTokenCount, cached.Usage?.InputTokenCount);
        Assert.Equal(string.Empty, cached.Text);
        Assert.Equal("Refusal", Assert.Single(cached.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>()).ErrorCode); // what the gate reads
    }

    [Fact]
    public async Task Confidence_properties_of_any_number_type_survive_the_cache()
    {
        var responses = new Queue<ChatResponse>(
        [
            new(new ChatMessage(ChatRole.Assistant, "A")) { AdditionalProperties = new() { [RoutedPromptsResponseProperties.LogProb] = -0.5f } },
            new(new ChatMessage(ChatRole.Assistant, "C")) { AdditionalProperties = new() { [RoutedPromptsResponseProperties.Confidence] = JsonDocument.Parse("0.75").RootElement } },
        ]);
        var cache = new DiskCacheChatClient(new ScriptedClient(responses.Dequeue), _dir, "other");

        foreach (var (model, expected) in new[] { ("m1", Math.Exp(-0.5)), ("m2", 0.75) })
        {
            var options = new ChatOptions { ModelId = model };
            var fresh = await cache.GetResponseAsync(Question, options);
            var cached = await cache.GetResponseAsync(Question, options);
            Assert.Equal(expected, RoutedPromptsResponseProperties.ReadConfidence(fresh)!.Value, 6);
            Assert.Equal(expected, RoutedPromptsResponseProperties.ReadConfidence(cached)!.Value, 6);
        }

        Assert.Equal(2, cache.Hits);
    }

    [Fact]
    public async Task Asking_for_log_probabilities_or_other_sampling_is_a_different_request()
    {
        var inner = new ScriptedClient(() => OpenAIAnswer("B", -0.1f));
        var cache = new DiskCacheChatClient(inner, _dir, "openai");

        await cache.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini" });
        await cache.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini", RawRepresentationFactory = _ => new ChatCompletionOptions { IncludeLogProbabilities = true } });
        await cache.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0 });
        await cache.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0 });

        Assert.Equal(3, inner.Calls);
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public async Task A_client_that_reports_confidence_is_keyed_as_a_request_for_log_probabilities()
    {
        var inner = new ScriptedClient(() => OpenAIAnswer("B", -0.1f));
        var asked = new ChatOptions { ModelId = "gpt-4o-mini", RawRepresentationFactory = _ => new ChatCompletionOptions { IncludeLogProbabilities = true } };
        await new DiskCacheChatClient(inner, _dir, "openai").GetResponseAsync(Question, asked); // cached when the router asked through the raw request

        var overMiddleware = new DiskCacheChatClient(new OpenAILogProbabilitiesChatClient(inner), _dir, "openai");
        await overMiddleware.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini" });
        var plain = new DiskCacheChatClient(inner, _dir, "openai");
        await plain.GetResponseAsync(Question, new ChatOptions { ModelId = "gpt-4o-mini" });

        Assert.Equal(1, overMiddleware.Hits); // an entry that carries the signal serves the middleware's request ...
        Assert.Equal(0, plain.Hits);          // ... and never one that did not ask
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task A_corrupt_cache_entry_is_an_error_naming_the_file_and_the_fix()
    {
        var inner = new ScriptedClient(() => OpenAIAnswer("B", -0.1f));
        var cache = new DiskCacheChatClient(inner, _dir, "openai");
        var options = new ChatOptions { ModelId = "gpt-4o-mini" };
        await cache.GetResponseAsync(Question, options);
        var entry = Assert.Single(Directory.GetFiles(_dir, "*.json"));
        await File.WriteAllTextAsync(entry, "{\"Text\": \"B\", \"Inpu");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetResponseAsync(Question, options));

        Assert.Contains(entry, error.Message);
        Assert.Contains("Delete it to ask the provider again.", error.Message);
        Assert.Equal(1, inner.Calls); // nothing was re-bought behind the user's back
    }
}
