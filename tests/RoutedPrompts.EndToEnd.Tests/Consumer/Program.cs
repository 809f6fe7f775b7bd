// A consumer of the packed RoutedPrompts package: the generator must emit the routed method bodies, read the
// prompt template from prompts/ and the schema from schemas/ (added as AdditionalFiles by the package's props).
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RoutedPrompts;

var services = new ServiceCollection();
// The same tiers as routedprompts.json (which the analyzers check): each with a fallback deployment.
services.AddRoutedPrompts(options =>
{
    options.Tiers["Small"] = new TierOptions { Deployments = { new DeploymentOptions { Provider = "scripted", Model = "small-model" }, new DeploymentOptions { Provider = "scripted-backup", Model = "small-model" } } };
    options.Tiers["Large"] = new TierOptions { Deployments = { new DeploymentOptions { Provider = "scripted", Model = "large-model" }, new DeploymentOptions { Provider = "scripted-backup", Model = "large-model" } } };
});
services.AddKeyedChatClient("scripted", _ => new ScriptedClient());
services.AddKeyedChatClient("scripted-backup", _ => new ScriptedClient());
services.AddSingleton<Greeter>();
await using var provider = services.BuildServiceProvider();
var greeter = provider.GetRequiredService<Greeter>();

foreach (var task in RoutedTaskCatalog.Tasks)
{
    Console.WriteLine($"task {task.Name} tier={task.Tier} template={task.Template.Replace("\n", "\\n")} schema={(task.SchemaJson is null ? "none" : "yes")}");
}

var routed = await greeter.GreetAsync("Ada");
Console.WriteLine($"answer {routed.Value.Text} by {routed.Tier} after {routed.Attempts.Count} attempts");
return 0;

public sealed record Greeting(string Text);

public sealed partial class Greeter(PromptRouter router)
{
    [RoutedPrompt(Tier.Small, MaxTier = Tier.Large, PromptFile = "prompts/greet.txt", Schema = "schemas/greeting.json", EvalSet = "evals/greet.jsonl")]
    public partial Task<Routed<Greeting>> GreetAsync(string name, CancellationToken cancellationToken = default);
}

// The small model answers with text the schema file rejects (too short); the large one passes.
internal sealed class ScriptedClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.Last().Text;
        var text = options?.ModelId == "small-model" ? "{\"text\":\"Hi\"}" : "{\"text\":\"Hello, " + prompt.Split(' ').Last() + "\"}";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = options?.ModelId });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
