using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoutedPrompts.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private const string ProjectFile = """
        {
          "Tiers": {
            "Small":  { "Deployments": [ { "Provider": "openai", "Model": "gpt-4o-mini", "InputUsdPerMillionTokens": 0.15, "OutputUsdPerMillionTokens": 0.6 },
                                         { "Provider": "azure", "Model": "gpt-4o-mini" } ] },
            "Large":  { "Deployments": [ { "Provider": "openai", "Model": "gpt-4o", "InputUsdPerMillionTokens": 2.5, "OutputUsdPerMillionTokens": 10 } ] }
          },
          "Tasks": { "SupportPrompts.Triage": { "ConfidenceThreshold": 0.8, "MaxTier": "Medium" } },
          "LogContent": true
        }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("routedprompts-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void File_values_are_loaded_under_the_RoutedPrompts_prefix()
    {
        var path = Write("routedprompts.json", ProjectFile);

        var configuration = new ConfigurationBuilder().AddRoutedPromptsFile(path).Build();

        Assert.Equal("gpt-4o-mini", configuration["RoutedPrompts:Tiers:Small:Deployments:0:Model"]);
        Assert.Equal("azure", configuration["RoutedPrompts:Tiers:Small:Deployments:1:Provider"]);
        Assert.Equal("0.8", configuration["RoutedPrompts:Tasks:SupportPrompts.Triage:ConfidenceThreshold"]);
        Assert.Null(configuration["Tiers:Small:Deployments:0:Model"]);
    }

    [Fact]
    public void A_file_wrapped_in_a_RoutedPrompts_object_is_not_prefixed_twice()
    {
        var path = Write("wrapped.json", """{ "RoutedPrompts": """ + ProjectFile + "}");

        var configuration = new ConfigurationBuilder().AddRoutedPromptsFile(path).Build();

        Assert.Equal("gpt-4o", configuration["RoutedPrompts:Tiers:Large:Deployments:0:Model"]);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_base_path()
    {
        Write("routedprompts.json", ProjectFile);

        var configuration = new ConfigurationBuilder().SetBasePath(_dir).AddRoutedPromptsFile("routedprompts.json").Build();

        Assert.Equal("openai", configuration["RoutedPrompts:Tiers:Large:Deployments:0:Provider"]);
    }

    [Fact]
    public void Bound_options_have_the_file_values()
    {
        var path = Write("routedprompts.json", ProjectFile);
        var configuration = new ConfigurationBuilder().AddRoutedPromptsFile(path).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("openai", new ScriptedChatClient("openai", []));
        services.AddKeyedChatClient("azure", new ScriptedChatClient("azure", []));
        services.AddSingleton(new RoutedTaskSource(() => []));
        services.AddRoutedPrompts(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RoutedPromptsOptions>>().Value;

        Assert.NotNull(provider.GetRequiredService<PromptRouter>());
        var small = options.Tiers["small"].Deployments;
        Assert.Equal(2, small.Count);
        Assert.Equal(0.15m, small[0].InputUsdPerMillionTokens);
        Assert.Equal(0.6m, small[0].OutputUsdPerMillionTokens);
        Assert.Equal(0m, small[1].InputUsdPerMillionTokens);
        Assert.Equal(Tier.Medium, options.Tasks["SupportPrompts.Triage"].MaxTier);
        Assert.Equal(0.8, options.Tasks["SupportPrompts.Triage"].ConfidenceThreshold);
        Assert.True(options.LogContent);
    }

    [Fact]
    public void Missing_file_names_the_full_path()
    {
        var path = Path.Combine(_dir, "nope", "routedprompts.json");

        var ex = Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddRoutedPromptsFile(path));

        Assert.Contains(path, ex.Message);
        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void Missing_optional_file_adds_nothing()
    {
        var builder = new ConfigurationBuilder().AddRoutedPromptsFile(Path.Combine(_dir, "nope.json"), optional: true);

        Assert.Empty(builder.Build().AsEnumerable());
    }

    [Fact]
    public void Malformed_file_names_the_file()
    {
        var path = Write("broken.json", """{ "Tiers": { "Small": """);

        var ex = Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddRoutedPromptsFile(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("not valid JSON", ex.Message);
    }
}
