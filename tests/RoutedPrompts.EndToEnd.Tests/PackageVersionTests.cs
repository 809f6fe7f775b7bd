using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// The package version comes from git (Directory.Build.targets), so two packs of different code never share a version
/// and the NuGet global packages folder never serves an older pack under a new one's name. Checked on a scratch git
/// repository holding the repository's Directory.Build.props and .targets and an empty project.
/// </summary>
public sealed class PackageVersionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_commit_and_each_state_of_uncommitted_changes_gets_its_own_version_and_an_explicit_version_wins()
    {
        var repo = Path.Combine(DotnetCli.WorkRoot, "package-version-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(repo);
        try
        {
            foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
            {
                File.Copy(Path.Combine(DotnetCli.RepoRoot, file), Path.Combine(repo, file));
            }

            await File.WriteAllTextAsync(Path.Combine(repo, "Probe.csproj"),
                """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
            await File.WriteAllTextAsync(Path.Combine(repo, ".gitignore"), "bin/\nobj/\n");

            // Not a git checkout (a source archive): a local version with the pack's time, never a bare 0.1.0.
            Assert.Matches(@"^0\.1\.0-local\.[0-9]{14}$", await PackageVersionAsync(repo));

            await GitAsync(repo, "init", "-q");
            await GitAsync(repo, "add", "-A");
            await CommitAsync(repo, "first");
            var first = await PackageVersionAsync(repo);
            Assert.Equal($"0.1.0-dev.1.g{await GitAsync(repo, "rev-parse", "--short=10", "HEAD")}", first);

            // Uncommitted changes: the same commit, but a version of its own.
            await File.WriteAllTextAsync(Path.Combine(repo, "Change.cs"), "class Change { }\n");
            Assert.Matches($@"^{Regex.Escape(first)}\.dirty\.[0-9]{{14}}$", await PackageVersionAsync(repo));

            // The stamp is the newest change's time, not the pack's: every pack of one state of the tree (another package,
            // or a package's dependency on another) gets the same version, and a later edit a later one.
            File.SetLastWriteTimeUtc(Path.Combine(repo, "Change.cs"), new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc));
            Assert.Equal($"{first}.dirty.20300102030405", await PackageVersionAsync(repo));
            Assert.Equal($"{first}.dirty.20300102030405", await PackageVersionAsync(repo));
            await File.WriteAllTextAsync(Path.Combine(repo, "Later.cs"), "class Later { }\n");
            File.SetLastWriteTimeUtc(Path.Combine(repo, "Later.cs"), new DateTime(2030, 1, 2, 3, 4, 6, DateTimeKind.Utc));
            Assert.Equal($"{first}.dirty.20300102030406", await PackageVersionAsync(repo));

            await GitAsync(repo, "add", "-A");
            await CommitAsync(repo, "second");
            var second = await PackageVersionAsync(repo);
            Assert.Equal($"0.1.0-dev.2.g{await GitAsync(repo, "rev-parse", "--short=10", "HEAD")}", second);

            // A release names its version; git does not override it.
            Assert.Equal("0.1.0-rc.1", await PackageVersionAsync(repo, "-p:VersionSuffix=rc.1"));
            Assert.Equal("1.2.3", await PackageVersionAsync(repo, "-p:PackageVersion=1.2.3"));
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
    }

    /// <summary>The version <c>dotnet pack</c> would give the scratch project (the target pack runs, alone).</summary>
    private async Task<string> PackageVersionAsync(string repo, params string[] properties)
    {
        var text = await DotnetCli.RunAsync(output, repo,
            ["msbuild", "Probe.csproj", "-nologo", "-t:RoutedPromptsPackageVersion", "-getProperty:PackageVersion", .. properties]);
        return text.Trim();
    }

    private Task CommitAsync(string repo, string message) =>
        GitAsync(repo, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message);

    private async Task<string> GitAsync(string repo, params string[] arguments)
    {
        var (exitCode, text) = await DotnetCli.RunProcessAsync(output, repo, new Dictionary<string, string>(), "git", arguments);
        Assert.True(exitCode == 0, $"git {string.Join(' ', arguments)} exited with {exitCode}:\n{text}");
        return text.Trim();
    }
}
