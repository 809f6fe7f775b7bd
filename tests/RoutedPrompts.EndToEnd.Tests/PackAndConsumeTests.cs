using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// Packs the RoutedPrompts package into a local folder and builds a consumer from that package (not from project
/// references), proving the generator, the analyzers and the AdditionalFiles props work for a real user.
/// </summary>
[Collection(PackingCollection.Name)]
public sealed class PackAndConsumeTests(ITestOutputHelper output)
{
    private const string Version = "0.1.0-local";

    private static readonly string Work = DotnetCli.WorkRoot;
    private static readonly string Feed = Path.Combine(Work, "feed");
    private static readonly string Packages = Path.Combine(Work, "packages");
    private static readonly SemaphoreSlim PackLock = new(1, 1);
    private static bool _packed;

    [Fact]
    public async Task Consumer_built_from_the_packed_package_runs_generated_routed_methods()
    {
        var consumer = await CreateConsumerAsync("consumer");

        var build = await DotnetCli.RunAsync(output, consumer, "build", "-c", "Release");
        Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);
        // The package's buildTransitive targets copy routedprompts.json next to the app, where AddRoutedPromptsFile reads it.
        Assert.True(File.Exists(Path.Combine(consumer, "bin", "Release", "net10.0", "routedprompts.json")), "routedprompts.json was not copied to the output folder");

        var run = await DotnetCli.RunAsync(output, consumer, "run", "-c", "Release", "--no-build");
        Assert.Contains("task Greeter.Greet tier=Small template=Greet {name} schema=yes", run, StringComparison.Ordinal);
        Assert.Contains("answer Hello, Ada by Large after 2 attempts", run, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_shows_the_analyzer_warnings_and_the_CI_property_makes_the_eval_rules_errors()
    {
        var consumer = await CreateConsumerAsync("consumer-unevaluated");
        File.WriteAllText(Path.Combine(consumer, "Unevaluated.cs"), """
            using RoutedPrompts;

            public sealed partial class Unevaluated(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "Say hello to {name}")]
                public partial Task<string> HelloAsync(string name);
            }
            """);

        // Warnings, as a user sees them in `dotnet build` (this consumer does not treat warnings as errors here).
        var build = await DotnetCli.RunAsync(output, consumer, "build", "-c", "Release", "--no-incremental", "-p:TreatWarningsAsErrors=false");
        Assert.Contains("warning RP0001: Routed task 'Unevaluated.Hello' has no eval set", build, StringComparison.Ordinal);
        Assert.Contains("warning RP0020: Routed task 'Unevaluated.Hello' returns free text", build, StringComparison.Ordinal);
        Assert.Contains("docs/diagnostics/RP0001.md", build, StringComparison.Ordinal);

        // CI: the eval rules become errors and fail the build; the other rules stay warnings.
        var (exitCode, ci) = await DotnetCli.RunUncheckedAsync(output, consumer, "build", "-c", "Release", "--no-incremental",
            "-p:TreatWarningsAsErrors=false", "-p:RoutedPromptsEvalRulesAsErrors=true");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("error RP0001: Routed task 'Unevaluated.Hello' has no eval set", ci, StringComparison.Ordinal);
        Assert.Contains("warning RP0020: Routed task 'Unevaluated.Hello' returns free text", ci, StringComparison.Ordinal);

        // With TreatWarningsAsErrors (the template's setting) and the CI property, the build fails on RP0001 as an error too.
        var (strictExitCode, strict) = await DotnetCli.RunUncheckedAsync(output, consumer, "build", "-c", "Release", "--no-incremental",
            "-p:RoutedPromptsEvalRulesAsErrors=true");
        Assert.NotEqual(0, strictExitCode);
        Assert.Contains("error RP0001: Routed task 'Unevaluated.Hello' has no eval set", strict, StringComparison.Ordinal);
    }

    /// <summary>Packs the package once per test run, then writes a fresh consumer project that references it.</summary>
    private async Task<string> CreateConsumerAsync(string name)
    {
        await PackLock.WaitAsync();
        try
        {
            if (!_packed)
            {
                await PackAsync();
                _packed = true;
            }
        }
        finally
        {
            PackLock.Release();
        }

        var consumer = Path.Combine(Work, name);
        ResetDirectory(consumer);
        var template = Path.Combine(AppContext.BaseDirectory, "Consumer");
        CopyDirectory(template, consumer);
        var project = File.ReadAllText(Path.Combine(consumer, "Consumer.csproj.template"))
            .Replace("$VERSION$", Version, StringComparison.Ordinal)
            .Replace("$PACKAGES$", Packages, StringComparison.Ordinal);
        File.Delete(Path.Combine(consumer, "Consumer.csproj.template"));
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), project);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Isolate the consumer from this repository's Directory.Build.props and central package management.
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");
        return consumer;
    }

    private async Task PackAsync()
    {
        ResetDirectory(Feed);
        // Keep the dependencies cached between runs, but never a stale copy of the package under test.
        DeleteDirectory(Path.Combine(Packages, "routedprompts"));

        await DotnetCli.RunAsync(output, DotnetCli.RepoRoot, "pack", Path.Combine("src", "RoutedPrompts.Runtime", "RoutedPrompts.Runtime.csproj"),
            "-c", DotnetCli.Configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={Version}");

        var nupkg = Path.Combine(Feed, $"RoutedPrompts.{Version}.nupkg");
        Assert.True(File.Exists(nupkg), $"dotnet pack did not produce {nupkg}");
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("analyzers/dotnet/cs/RoutedPrompts.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/RoutedPrompts.Analyzers.dll", entries);
        Assert.Contains("buildTransitive/RoutedPrompts.props", entries);
        Assert.Contains("buildTransitive/RoutedPrompts.targets", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("lib/net8.0/RoutedPrompts.dll", entries);
        Assert.Contains("lib/net10.0/RoutedPrompts.dll", entries);
    }

    private static void ResetDirectory(string path)
    {
        DeleteDirectory(path);
        Directory.CreateDirectory(path);
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
