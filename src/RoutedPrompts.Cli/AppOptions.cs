using System.ClientModel;
using System.CommandLine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using RoutedPrompts.Replay;

namespace RoutedPrompts.Cli;

/// <summary>The options <c>eval</c>, <c>calibrate</c> and <c>report</c> share: where the application and its files are.</summary>
internal sealed class AppOptions
{
    public Option<FileInfo?> Assembly { get; } = new("--assembly") { Description = "The built application assembly (its generated registry lists the routed tasks)." };

    public Option<DirectoryInfo> ProjectDir { get; } = new("--project-dir") { Description = "The application's project directory (routedprompts.json, evals/, the lock file).", DefaultValueFactory = _ => new DirectoryInfo(".") };

    public Option<string?> Task { get; } = new("--task") { Description = "Only this task (by name)." };

    public Option<DirectoryInfo?> Results { get; } = new("--results") { Description = "Where eval results go (default <project-dir>/.routedprompts/eval)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Assembly);
        command.Options.Add(ProjectDir);
        command.Options.Add(Task);
        command.Options.Add(Results);
    }

    public string ProjectDirectory(ParseResult parse) => parse.GetValue(ProjectDir)!.FullName;

    public string ResultsDirectory(ParseResult parse) =>
        parse.GetValue(Results)?.FullName ?? Path.Combine(ProjectDirectory(parse), ".routedprompts", "eval");

    /// <summary>The tasks to work on: the assembly's (or the in-process catalog's), filtered by --task.</summary>
    public IReadOnlyList<RoutedTask> Tasks(ParseResult parse, Func<IReadOnlyList<RoutedTask>> catalog)
    {
        var tasks = parse.GetValue(Assembly) is { } dll ? AppAssembly.LoadTasks(dll.FullName) : catalog();
        var only = parse.GetValue(Task);
        var selected = tasks.Where(t => only is null || t.Name == only).ToArray();
        return only is not null && selected.Length == 0
            ? throw new InvalidOperationException($"No routed task is named '{only}'. Tasks: {string.Join(", ", tasks.Select(t => t.Name))}.")
            : selected;
    }

    /// <summary>The application's RoutedPrompts configuration: routedprompts.json in the project directory, then environment variables.</summary>
    public static RoutedPromptsOptions Routing(string projectDirectory)
    {
        var configuration = new ConfigurationBuilder()
            .AddRoutedPromptsFile(Path.Combine(projectDirectory, "routedprompts.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = new RoutedPromptsOptions();
        configuration.GetSection(RoutedPromptsOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>
    /// Registers a chat client for every provider the configuration names: the replay client over a recording when one
    /// is given, otherwise an OpenAI-compatible client (OPENAI_API_KEY, optional OPENAI_BASE_URL).
    /// </summary>
    public static Action<IServiceCollection> Providers(RoutedPromptsOptions routing, string? replay)
    {
        var keys = routing.Tiers.Values.SelectMany(t => t.Deployments).Select(d => d.Provider).Distinct(StringComparer.Ordinal).ToArray();
        if (replay is not null)
        {
            var recording = ReplayRecording.Load(replay);
            return services =>
            {
                foreach (var key in keys)
                {
                    services.AddKeyedChatClient(key, new ReplayChatClient(recording));
                }
            };
        }

        var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY")
            ?? throw new InvalidOperationException("No provider: pass --replay <recording.jsonl>, or set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible endpoint).");
        var endpoint = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
        var client = new OpenAIClient(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint) });
        return services =>
        {
            foreach (var key in keys)
            {
                services.AddKeyedChatClient(key, new ModelSelectingChatClient(model => client.GetChatClient(model).AsIChatClient()));
            }
        };
    }
}
