using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts.Replay;

namespace RoutedPrompts.Tests;

public sealed class ReplayTests
{
    private const string Dataset = "mmlu-llama.jsonl";
    private static readonly Lazy<ReplayRecording> Recording = new(() => ReplayRecording.Load(Datasets.PathOf(Dataset)));

    /// <summary>A row of the recording as the test reads it, independently of the library.</summary>
    private sealed record Row(string Id, ChatMessage[] Messages, Dictionary<string, JsonElement> Responses);

    /// <summary>Rows whose messages occur for the first time in the file (a repeated request replays its first answer).</summary>
    private static List<Row> FirstOccurrences()
    {
        var seen = new HashSet<string>();
        var rows = new List<Row>();
        foreach (var line in File.ReadLines(Datasets.PathOf(Dataset)))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var messagesJson = root.GetProperty("messages").GetRawText();
            if (!seen.Add(messagesJson))
            {
                continue;
            }

            var messages = root.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()))
                .ToArray();
            var responses = root.GetProperty("responses").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            rows.Add(new Row(root.GetProperty("id").GetString()!, messages, responses));
        }

        return rows;
    }

    [Fact]
    public async Task Answers_recorded_runs_with_text_tokens_and_log_probability()
    {
        var rows = FirstOccurrences();
        var client = new ReplayChatClient(Recording.Value);

        foreach (var row in new[] { rows[0], rows[123], rows[^1] })
        {
            foreach (var model in new[] { "llama3.2-1b", "llama3.1-405b" })
            {
                var recorded = row.Responses[model];
                var response = await client.GetResponseAsync(row.Messages, new ChatOptions { ModelId = model });

                Assert.Equal(recorded.GetProperty("text").GetString(), response.Text);
                Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
                Assert.Equal(model, response.ModelId);
                Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
                Assert.Equal(recorded.GetProperty("input_tokens").GetInt64(), response.Usage!.InputTokenCount);
                Assert.Equal(recorded.GetProperty("output_tokens").GetInt64(), response.Usage.OutputTokenCount);
                Assert.Equal(recorded.GetProperty("logprob").GetDouble(), response.AdditionalProperties![RoutedPromptsResponseProperties.LogProb]);
                Assert.Equal(recorded.GetProperty("cost_usd").GetDouble(), response.AdditionalProperties[RoutedPromptsResponseProperties.RecordedCostUsd]);
                Assert.Equal(recorded.GetProperty("latency_ms").GetDouble(), response.AdditionalProperties[RoutedPromptsResponseProperties.RecordedLatencyMs]);
                Assert.False(response.AdditionalProperties.ContainsKey(RoutedPromptsResponseProperties.Confidence));
            }
        }
    }

    [Fact]
    public void Recording_indexes_distinct_requests_and_models()
    {
        var recording = Recording.Value;

        Assert.Equal(FirstOccurrences().Count, recording.Queries.Count);
        Assert.Equal(["llama3.1-405b", "llama3.1-70b", "llama3.1-8b", "llama3.2-1b", "llama3.2-3b"], recording.Models);
        Assert.Equal("mmlu-llama-train-0", recording.Queries[0].Id);
        Assert.Equal("train", recording.Queries[0].Split);
        Assert.Equal(1, recording.Queries[0].Line);
    }

    [Fact]
    public async Task Line_endings_are_normalized_when_matching()
    {
        var row = FirstOccurrences()[5];
        var crlf = row.Messages.Select(m => new ChatMessage(m.Role, m.Text.Replace("\n", "\r\n"))).ToArray();

        var response = await new ReplayChatClient(Recording.Value).GetResponseAsync(crlf, new ChatOptions { ModelId = "llama3.1-8b" });

        Assert.Equal(row.Responses["llama3.1-8b"].GetProperty("text").GetString(), response.Text);
    }

    [Fact]
    public async Task Unknown_request_is_a_miss_without_prompt_text()
    {
        var client = new ReplayChatClient(Recording.Value);
        ChatMessage[] messages = [new(ChatRole.User, "What is the capital of Atlantis? SECRET-QUESTION")];

        var ex = await Assert.ThrowsAsync<ReplayMissException>(() => client.GetResponseAsync(messages, new ChatOptions { ModelId = "llama3.2-1b" }));

        Assert.DoesNotContain("Atlantis", ex.Message);
        Assert.Contains(ReplayRecording.Fingerprint(messages), ex.Message);
        Assert.Equal(ReplayRecording.Fingerprint(messages), ex.Fingerprint);
        Assert.Equal("llama3.2-1b", ex.ModelId);
        Assert.IsAssignableFrom<InvalidOperationException>(ex);
    }

    [Fact]
    public async Task Snippet_option_quotes_the_prompt_for_debugging()
    {
        var client = new ReplayChatClient(Recording.Value, new ReplayChatClientOptions { IncludePromptSnippetInErrors = true, SnippetLength = 20 });

        var ex = await Assert.ThrowsAsync<ReplayMissException>(() =>
            client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is the capital of Atlantis?")], new ChatOptions { ModelId = "llama3.2-1b" }));

        Assert.Contains("\"What is the capital \"", ex.Message);
    }

    [Fact]
    public async Task Unknown_model_names_the_recorded_models()
    {
        var row = FirstOccurrences()[0];
        var client = new ReplayChatClient(Recording.Value);

        var ex = await Assert.ThrowsAsync<ReplayMissException>(() => client.GetResponseAsync(row.Messages, new ChatOptions { ModelId = "gpt-5" }));

        Assert.Contains("no answer from model 'gpt-5'", ex.Message);
        Assert.Contains("llama3.1-405b, llama3.1-70b, llama3.1-8b, llama3.2-1b, llama3.2-3b", ex.Message);
        Assert.Contains(row.Id, ex.Message);
        Assert.DoesNotContain("Z_3", ex.Message);
        Assert.Equal(5, ex.RecordedModels.Count);
    }

    [Fact]
    public async Task Missing_model_id_is_a_miss()
    {
        var row = FirstOccurrences()[0];
        var client = new ReplayChatClient(Recording.Value);

        var ex = await Assert.ThrowsAsync<ReplayMissException>(() => client.GetResponseAsync(row.Messages));

        Assert.Contains("needs ChatOptions.ModelId", ex.Message);
        Assert.Null(ex.ModelId);
    }

    [Fact]
    public async Task Streaming_returns_the_same_answer_as_one_update()
    {
        var row = FirstOccurrences()[7];
        var client = new ReplayChatClient(Recording.Value);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(row.Messages, new ChatOptions { ModelId = "llama3.1-70b" }))
        {
            updates.Add(update);
        }

        var single = Assert.Single(updates);
        Assert.Equal(row.Responses["llama3.1-70b"].GetProperty("text").GetString(), single.Text);
        Assert.Equal(ChatFinishReason.Stop, single.FinishReason);
        Assert.Equal(row.Responses["llama3.1-70b"].GetProperty("output_tokens").GetInt64(), single.Contents.OfType<UsageContent>().Single().Details.OutputTokenCount);
    }

    [Fact]
    public void Malformed_line_names_the_source_and_line()
    {
        var text = """
            {"id": "a", "messages": [{"role": "user", "content": "hi"}], "responses": {"m": {"text": "hello"}}}

            {"id": "b", "messages": [{"role": "user", "content": "yo"}], "responses": {"m": {"text": "x", "input_tokens": "many"}}}
            """;

        var ex = Assert.Throws<InvalidDataException>(() => ReplayRecording.Load(new StringReader(text), "runs.jsonl"));

        Assert.StartsWith("runs.jsonl:3: responses.m.input_tokens must be a number", ex.Message);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"messages": [], "responses": {}}""", "'messages' must be a non-empty array")]
    [InlineData("""{"messages": [{"role": "user"}], "responses": {}}""", "messages[0] must be an object with string 'role' and 'content'")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}]}""", "'responses' must be an object")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}], "responses": {"m": {"cost_usd": 1}}}""", "responses.m must be an object with a string 'text'")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}], "responses": {"m": {"text": "a", "cost_usd": 1e300}}}""", "responses.m.cost_usd must be a cost in USD from 0 to 1000000, found 1E+300")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}], "responses": {"m": {"text": "a", "cost_usd": -0.5}}}""", "responses.m.cost_usd must be a cost in USD")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}], "responses": {"m": {"text": "a", "output_tokens": 1e300}}}""", "responses.m.output_tokens must be a whole number from 0 to 1000000000")]
    public void Malformed_lines_are_explained(string line, string problem)
    {
        var ex = Assert.Throws<InvalidDataException>(() => ReplayRecording.Load(new StringReader("\n" + line), "x.jsonl"));

        Assert.StartsWith("x.jsonl:2: ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public async Task Duplicate_requests_keep_the_first_answer_and_ground_truth_is_ignored()
    {
        var text = """
            {"id": "first", "messages": [{"role": "user", "content": "q"}], "responses": {"m": {"text": "A", "correct": "not even a bool", "score": "ignored"}}}
            {"id": "second", "messages": [{"role": "user", "content": "q"}], "responses": {"m": {"text": "B"}}}
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var recording = ReplayRecording.Load(stream, "dups.jsonl");

        var response = await new ReplayChatClient(recording).GetResponseAsync([new ChatMessage(ChatRole.User, "q")], new ChatOptions { ModelId = "m" });

        Assert.Equal("A", response.Text);
        Assert.Single(recording.Queries);
        Assert.Null(response.Usage);
        Assert.Null(response.AdditionalProperties);
    }

    [Fact]
    public async Task Router_cascades_over_recorded_runs_by_log_probability()
    {
        const double threshold = 0.7;
        string[] models = ["llama3.2-1b", "llama3.1-70b", "llama3.1-405b"];
        double Confidence(Row r, string m) => Math.Exp(r.Responses[m].GetProperty("logprob").GetDouble());
        var row = FirstOccurrences().First(r => Confidence(r, models[0]) < threshold && Confidence(r, models[1]) >= threshold);

        var services = new ServiceCollection();
        services.AddKeyedChatClient("replay", new ReplayChatClient(Recording.Value));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o =>
        {
            for (var i = 0; i < models.Length; i++)
            {
                o.Tiers[((Tier)i).ToString()] = new TierOptions
                {
                    Deployments = [new DeploymentOptions { Provider = "replay", Model = models[i], InputUsdPerMillionTokens = 1m, OutputUsdPerMillionTokens = 2m }],
                };
            }
        });
        using var provider = services.BuildServiceProvider();

        var routed = await provider.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Summary("Mmlu.Answer", confidenceThreshold: threshold), row.Messages);

        Assert.Equal(Tier.Medium, routed.Tier);
        Assert.Equal(row.Responses[models[1]].GetProperty("text").GetString(), routed.Value);
        Assert.Equal(AttemptOutcome.LowConfidence, routed.Attempts[0].Outcome);
        Assert.Equal(Confidence(row, models[0]), routed.Attempts[0].Confidence!.Value, 10);
        var recorded = row.Responses[models[1]];
        var expectedCost = ((recorded.GetProperty("input_tokens").GetInt64() * 1m) + (recorded.GetProperty("output_tokens").GetInt64() * 2m)) / 1_000_000m;
        Assert.Equal(expectedCost, routed.Answer.CostUsd);
    }

    [Fact]
    public async Task A_request_the_recording_lacks_is_one_ReplayMiss_not_one_per_deployment()
    {
        // Five deployments replayed from one recording (through two clients), plus a live provider at Large: the
        // unrecorded request is asked of the recording once; the live deployment is still asked.
        string[] models = ["llama3.2-1b", "llama3.1-70b", "llama3.1-405b"];
        var live = new ScriptedChatClient("live", []).Reply("big", new ChatResponse(new ChatMessage(ChatRole.Assistant, "live answer")));
        var services = new ServiceCollection();
        services.AddKeyedChatClient("replay", new ReplayChatClient(Recording.Value));
        services.AddKeyedChatClient("replay-b", new ReplayChatClient(Recording.Value));
        services.AddKeyedChatClient("live", live);
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(o =>
        {
            o.Tiers["Small"] = new TierOptions { Deployments = [new() { Provider = "replay", Model = models[0] }, new() { Provider = "replay", Model = models[1] }] };
            o.Tiers["Medium"] = new TierOptions { Deployments = [new() { Provider = "replay-b", Model = models[1] }, new() { Provider = "replay-b", Model = models[2] }] };
            o.Tiers["Large"] = new TierOptions { Deployments = [new() { Provider = "replay", Model = models[2] }, new() { Provider = "live", Model = "big" }] };
        });
        using var provider = services.BuildServiceProvider();
        ChatMessage[] messages = [new(ChatRole.User, "A question nobody recorded.")];

        var routed = await provider.GetRequiredService<PromptRouter>().RouteAsync(Tasks.Summary("Mmlu.Answer"), messages);

        Assert.Equal("live answer", routed.Value);
        var miss = Assert.Single(routed.Attempts, a => a.Failure == ProviderFailureKind.ReplayMiss);
        Assert.Equal(Tier.Small, miss.Tier);
        Assert.Contains("no recorded request", miss.Reason, StringComparison.Ordinal);
        Assert.Equal(2, routed.Attempts.Count);
        Assert.Single(live.Calls);
    }
}
