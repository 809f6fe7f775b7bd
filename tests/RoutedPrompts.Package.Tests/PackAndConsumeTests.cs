using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.Package.Tests;

/// <summary>
/// Packs the RoutedPrompts package into a local folder and builds a consumer from that package (not from project
/// references), proving the generator and the AdditionalFiles props work for a real user.
/// </summary>
public sealed class PackAndConsumeTests(ITestOutputHelper output)
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task Consumer_built_from_the_packed_package_runs_generated_routed_methods()
    {
        var repo = FindRepoRoot();
        var work = Path.Combine(Path.GetTempPath(), "routedprompts-package-test");
        var feed = Path.Combine(work, "feed");
        var packages = Path.Combine(work, "packages");
        var consumer = Path.Combine(work, "consumer");
        ResetDirectory(feed);
        ResetDirectory(consumer);
        // Keep the dependencies cached between runs, but never a stale copy of the package under test.
        DeleteDirectory(Path.Combine(packages, "routedprompts"));

        var version = "0.1.0-local";
        await RunAsync(repo, "dotnet", "pack", Path.Combine("src", "RoutedPrompts.Runtime", "RoutedPrompts.Runtime.csproj"),
            "-c", Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}");

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

        var build = await RunAsync(consumer, "dotnet", "build", "-c", "Release");
        Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);

        var run = await RunAsync(consumer, "dotnet", "run", "-c", "Release", "--no-build");
        Assert.Contains("task Greeter.Greet tier=Small template=Greet {name} schema=yes", run, StringComparison.Ordinal);
        Assert.Contains("answer Hello, Ada by Large after 2 attempts", run, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string directory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's MSBuild settings must not leak into the child builds.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        output.WriteLine($"> {fileName} {string.Join(' ', arguments)} (in {directory})");
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RoutedPrompts.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"RoutedPrompts.sln not found above {AppContext.BaseDirectory}.");
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
