using System.ClientModel;
using System.CommandLine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using RoutedPrompts.Evaluation;
using RoutedPrompts.Replay;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The application's RoutedPrompts configuration, as <c>eval</c> uses it.</summary>
/// <param name="Source">The path of routedprompts.json (for messages).</param>
/// <param name="Options">The bound, validated options.</param>
/// <param name="Providers">Registers a keyed chat client for every provider the deployments name.</param>
internal sealed record AppRouting(string Source, RoutedPromptsOptions Options, Action<IServiceCollection> Providers);

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
    public IReadOnlyList<RoutedTask> AppTasks(ParseResult parse, Func<IReadOnlyList<RoutedTask>>? catalog, IAnsiConsole console) => Load(parse, catalog, console).Tasks;

    /// <summary>The application (see <see cref="AppTasks"/>) with its assembly, when it was loaded from one.</summary>
    public LoadedApp Load(ParseResult parse, Func<IReadOnlyList<RoutedTask>>? catalog, IAnsiConsole console)
    {
        if (parse.GetValue(Assembly) is { } dll)
        {
            return AppAssembly.Load(dll.FullName);
        }

        if (catalog is not null)
        {
            return new LoadedApp(catalog(), null);
        }

        var settings = new BuildSettings(!parse.GetValue(NoBuild), parse.GetValue(Configuration)!, parse.GetValue(Framework), parse.GetValue(BuildProperties) ?? []);
        return AppAssembly.Load(AppProject.Output(ProjectDirectory(parse), settings, message => console.MarkupLineInterpolated($"[grey]{message}[/]")));
    }

    /// <summary>The tasks to work on: <see cref="AppTasks"/>, filtered by --task.</summary>
    public IReadOnlyList<RoutedTask> Tasks(ParseResult parse, Func<IReadOnlyList<RoutedTask>>? catalog, IAnsiConsole console) =>
        Selected(parse, AppTasks(parse, catalog, console));

    /// <summary>The application's tasks filtered by --task.</summary>
    public IReadOnlyList<RoutedTask> Selected(ParseResult parse, IReadOnlyList<RoutedTask> tasks)
    {
        var only = parse.GetValue(Task);
        var selected = tasks.Where(t => only is null || t.Name == only).ToArray();
        return only is not null && selected.Length == 0
            ? throw new InvalidOperationException($"No routed task is named '{only}'. Tasks: {string.Join(", ", tasks.Select(t => t.Name))}.")
            : selected;
    }

    /// <summary>
    /// The application's RoutedPrompts configuration (routedprompts.json in the project directory, then environment
    /// variables), bound and validated as the application's own start-up does (the runtime's binding and options
    /// validator), with the chat clients that answer for its providers (<see cref="Providers"/>).
    /// </summary>
    /// <param name="projectDirectory">The application's project directory.</param>
    /// <param name="replay">A recording that answers every provider, or <see langword="null"/> for the real providers.</param>
    /// <param name="appAssembly">The application's assembly, searched for its <see cref="IRoutedPromptsDesignTimeServices"/> (not with <paramref name="replay"/>), or <see langword="null"/>.</param>
    /// <returns>Where the configuration is, the options, and the providers' registrations.</returns>
    /// <exception cref="FileNotFoundException">There is no routedprompts.json.</exception>
    /// <exception cref="InvalidDataException">The configuration is not valid JSON, a value cannot be read, or the options validator rejects it; the message names the file and every fault.</exception>
    /// <exception cref="InvalidOperationException">A provider has no chat client: the message names it and the ways to give it one.</exception>
    public static AppRouting Routing(string projectDirectory, string? replay, System.Reflection.Assembly? appAssembly = null)
    {
        var path = Path.Combine(projectDirectory, "routedprompts.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} does not exist: eval needs the application's deployments (Tiers → Small/Medium/Large → Deployments). Create it, or pass --project-dir <the application's project directory>.", path);
        }

        var configuration = TaskHashes.ProjectConfiguration(projectDirectory, optional: false);
        var deployments = configuration.GetSection(RoutedPromptsOptions.SectionName).GetSection("Tiers").GetChildren()
            .SelectMany(tier => tier.GetSection("Deployments").GetChildren()).ToArray();
        var keys = deployments
            .Select(deployment => deployment["Provider"]).OfType<string>().Where(key => key.Length > 0)
            .Distinct(StringComparer.Ordinal).ToArray();
        // The keys serving a deployment whose answers must carry confidence: their OpenAI fallback reports log-probabilities.
        var logProbabilityKeys = deployments
            .Where(deployment => bool.TryParse(deployment["LogProbabilities"], out var required) && required)
            .Select(deployment => deployment["Provider"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var designTime = replay is null && appAssembly is not null ? AppAssembly.DesignTimeServices(appAssembly) : null;
        var providers = Providers(keys, logProbabilityKeys, replay, designTime, configuration);
        var services = new ServiceCollection();
        providers(services);
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            return new AppRouting(path, provider.GetRequiredService<IOptions<RoutedPromptsOptions>>().Value, providers);
        }
        catch (OptionsValidationException ex)
        {
            throw new InvalidDataException($"{path} (with any RoutedPrompts__ environment variables) is not a valid configuration:\n  {string.Join("\n  ", ex.Failures)}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"{path} (with any RoutedPrompts__ environment variables) is not a valid configuration: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Registers a chat client for every provider key: the replay client over a recording when one is given; otherwise
    /// the application's own registrations (its <see cref="IRoutedPromptsDesignTimeServices"/>), and for every key it
    /// does not register an OpenAI-compatible client (OPENAI_API_KEY, optional OPENAI_BASE_URL), with the log-probability
    /// middleware for the keys in <paramref name="logProbabilityKeys"/>.
    /// </summary>
    private static Action<IServiceCollection> Providers(IReadOnlyList<string> keys, IReadOnlySet<string> logProbabilityKeys, string? replay, IRoutedPromptsDesignTimeServices? designTime, IConfiguration configuration)
    {
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

        var registrations = designTime is null ? [] : DesignTimeRegistrations(designTime, configuration);
        var missing = keys.Where(key => !registrations.Any(d => d.ServiceType == typeof(IChatClient) && d.IsKeyedService && (Equals(d.ServiceKey, key) || Equals(d.ServiceKey, KeyedService.AnyKey)))).ToArray();
        if (missing.Length == 0)
        {
            return services => Add(services, registrations);
        }

        var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY")
            ?? throw new InvalidOperationException(designTime is null
                ? $"No chat client for provider(s) {string.Join(", ", missing)}: implement {nameof(IRoutedPromptsDesignTimeServices)} in the application to register its providers (README: Providers at design time), pass --replay <recording.jsonl>, or set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible endpoint)."
                : $"{designTime.GetType().FullName}.ConfigureServices registers no keyed IChatClient for provider(s) {string.Join(", ", missing)}: register them (services.AddKeyedChatClient(\"{missing[0]}\", ...)), pass --replay <recording.jsonl>, or set OPENAI_API_KEY (and OPENAI_BASE_URL) for an OpenAI-compatible fallback.");
        var endpoint = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
        var client = new OpenAIClient(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint) });
        return services =>
        {
            Add(services, registrations);
            foreach (var key in missing)
            {
                // Microsoft.Extensions.AI.OpenAI sends ChatOptions.ModelId (the deployment's model) per request.
                var builder = services.AddKeyedChatClient(key, client.GetChatClient("gpt-4o-mini").AsIChatClient());
                if (logProbabilityKeys.Contains(key))
                {
                    builder.UseOpenAILogProbabilities();
                }
            }
        };

        static void Add(IServiceCollection services, IReadOnlyList<ServiceDescriptor> registrations)
        {
            foreach (var registration in registrations)
            {
                services.Add(registration);
            }
        }
    }

    /// <summary>
    /// What the application's design-time services register, once; without RoutedPrompts' own registrations (the tool
    /// configures RoutedPrompts from routedprompts.json itself, and a second binding would double every deployment).
    /// </summary>
    private static ServiceDescriptor[] DesignTimeRegistrations(IRoutedPromptsDesignTimeServices designTime, IConfiguration configuration)
    {
        var services = new ServiceCollection();
        try
        {
            designTime.ConfigureServices(services, configuration);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{designTime.GetType().FullName}.ConfigureServices threw {ex.GetType().Name}: {ex.Message}", ex);
        }

        return services.Where(d => d.ServiceType != typeof(PromptRouter) && !(d.ServiceType.IsConstructedGenericType && d.ServiceType.GenericTypeArguments.Contains(typeof(RoutedPromptsOptions)))).ToArray();
    }
}
