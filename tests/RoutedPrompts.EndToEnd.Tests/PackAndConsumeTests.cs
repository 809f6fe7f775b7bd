using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// Packs the RoutedPrompts package into a local folder and builds a consumer from that package (not from project
/// references), proving the generator and the AdditionalFiles props work for a real user.
/// </summary>
public sealed class PackAndConsumeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Consumer_built_from_the_packed_package_runs_generated_routed_methods()
    {
        var repo = DotnetCli.RepoRoot;
        // One work folder per checkout, so two clones (or CI beside a developer) never pack into each other's feed.
        var checkout = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repo)))[..12];
        var work = Path.Combine(Path.GetTempPath(), "routedprompts-package-test", checkout);
        var feed = Path.Combine(work, "feed");
        var packages = Path.Combine(work, "packages");
        var consumer = Path.Combine(work, "consumer");
        ResetDirectory(feed);
        ResetDirectory(consumer);
        // Keep the dependencies cached between runs, but never a stale copy of the package under test.
        DeleteDirectory(Path.Combine(packages, "routedprompts"));

        var version = "0.1.0-local";
        await DotnetCli.RunAsync(output, repo, "pack", Path.Combine("src", "RoutedPrompts.Runtime", "RoutedPrompts.Runtime.csproj"),
            "-c", DotnetCli.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}");

        var nupkg = Path.Combine(feed, $"RoutedPrompts.{version}.nupkg");
        Assert.True(File.Exists(nupkg), $"dotnet pack did not produce {nupkg}");
        using (var zip = System.IO.Compression.ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("analyzers/dotnet/cs/RoutedPrompts.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/RoutedPrompts.Analyzers.dll", entries);
            Assert.Contains("buildTransitive/RoutedPrompts.props", entries);
            Assert.Contains("lib/net8.0/RoutedPrompts.dll", entries);
            Assert.Contains("lib/net10.0/RoutedPrompts.dll", entries);
        }

        var template = Path.Combine(AppContext.BaseDirectory, "Consumer");
        CopyDirectory(template, consumer);
        var project = File.ReadAllText(Path.Combine(consumer, "Consumer.csproj.template"))
            .Replace("$VERSION$", version, StringComparison.Ordinal)
            .Replace("$PACKAGES$", packages, StringComparison.Ordinal);
        File.Delete(Path.Combine(consumer, "Consumer.csproj.template"));
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), project);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Isolate the consumer from this repository's Directory.Build.props and central package management.
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");

        var build = await DotnetCli.RunAsync(output, consumer, "build", "-c", "Release");
        Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);

        var run = await DotnetCli.RunAsync(output, consumer, "run", "-c", "Release", "--no-build");
        Assert.Contains("task Greeter.Greet tier=Small template=Greet {name} schema=yes", run, StringComparison.Ordinal);
        Assert.Contains("answer Hello, Ada by Large after 2 attempts", run, StringComparison.Ordinal);
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
