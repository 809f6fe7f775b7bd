using System.ClientModel;
using System.CommandLine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using RoutedPrompts.Replay;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The options <c>eval</c>, <c>calibrate</c>, <c>report</c> and <c>check</c> share: where the application and its files are, and how to build it.</summary>
internal sealed class AppOptions
{
    public Option<FileInfo?> Assembly { get; } = new("--assembly") { Description = "The built application assembly (its generated registry lists the routed tasks). Without it the tool builds the project in --project-dir and loads its output." };

    public Option<bool> NoBuild { get; } = new("--no-build") { Description = "Do not build the project: load its existing build output." };

    public Option<string> Configuration { get; } = new("--configuration", "-c") { Description = "The configuration to build the project in.", DefaultValueFactory = _ => "Debug" };

    public Option<string?> Framework { get; } = new("--framework", "-f") { Description = "The target framework to build, for a project that targets several." };

    public Option<string[]> BuildProperties { get; } = new("--build-property") { Description = "Name=Value: an MSBuild property for building the project (repeatable).", AllowMultipleArgumentsPerToken = true };

    public Option<DirectoryInfo> ProjectDir { get; } = new("--project-dir") { Description = "The application's project directory (routedprompts.json, evals/, the lock file).", DefaultValueFactory = _ => new DirectoryInfo(".") };

    public Option<string?> Task { get; } = new("--task") { Description = "Only this task (by name)." };

    public Option<DirectoryInfo?> Results { get; } = new("--results") { Description = "Where eval results go (default <project-dir>/.routedprompts/eval)." };

    /// <summary>Adds the options: where the application is and how to build it, and (unless <paramref name="appOnly"/>) --task and --results.</summary>
    public void AddTo(Command command, bool appOnly = false)
    {
        command.Options.Add(Assembly);
        command.Options.Add(ProjectDir);
        command.Options.Add(NoBuild);
        command.Options.Add(Configuration);
        command.Options.Add(Framework);
        command.Options.Add(BuildProperties);
        if (!appOnly)
        {
            command.Options.Add(Task);
            command.Options.Add(Results);
        }
    }

    public string ProjectDirectory(ParseResult parse) => parse.GetValue(ProjectDir)!.FullName;

    public string ResultsDirectory(ParseResult parse) =>
        parse.GetValue(Results)?.FullName ?? Path.Combine(ProjectDirectory(parse), ".routedprompts", "eval");

    /// <summary>
    /// The application's routed tasks: the --assembly's; else the in-process catalog's when the host supplies one (tests);
    /// else the output of building the project in --project-dir.
    /// </summary>
    public IReadOnlyList<RoutedTask> AppTasks(ParseResult parse, Func<IReadOnlyList<RoutedTask>>? catalog, IAnsiConsole console)
    {
        if (parse.GetValue(Assembly) is { } dll)
        {
            return AppAssembly.LoadTasks(dll.FullName);
        }

        if (catalog is not null)
        {
            return catalog();
        }

        var settings = new BuildSettings(!parse.GetValue(NoBuild), parse.GetValue(Configuration)!, parse.GetValue(Framework), parse.GetValue(BuildProperties) ?? []);
        return AppAssembly.LoadTasks(AppProject.Output(ProjectDirectory(parse), settings, message => console.MarkupLineInterpolated($"[grey]{message}[/]")));
    }

    /// <summary>The tasks to work on: <see cref="AppTasks"/>, filtered by --task.</summary>
    public IReadOnlyList<RoutedTask> Tasks(ParseResult parse, Func<IReadOnlyList<RoutedTask>>? catalog, IAnsiConsole console)
    {
        var tasks = AppTasks(parse, catalog, console);
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
