using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>Runs <c>dotnet</c> commands the way a user would, and finds the repository.</summary>
internal static class DotnetCli
{
#if DEBUG
    /// <summary>The configuration this test assembly (and so the solution) was built in.</summary>
    public const string Configuration = "Debug";
#else
    /// <summary>The configuration this test assembly (and so the solution) was built in.</summary>
    public const string Configuration = "Release";
#endif

    /// <summary>The directory holding <c>RoutedPrompts.sln</c>.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// A temporary work folder of this checkout's own, so two clones (or CI beside a developer) never pack into each
    /// other's feed or package cache.
    /// </summary>
    public static string WorkRoot { get; } = Path.Combine(
        Path.GetTempPath(),
        "routedprompts-package-test",
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(RepoRoot)))[..12]);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>; asserts exit code 0.</summary>
    /// <returns>Standard output followed by standard error.</returns>
    public static async Task<string> RunAsync(ITestOutputHelper output, string directory, params string[] arguments)
    {
        var (exitCode, text) = await RunUncheckedAsync(output, directory, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{text}");
        return text;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>, whatever its exit code.</summary>
    /// <returns>The exit code, and standard output followed by standard error.</returns>
    public static Task<(int ExitCode, string Text)> RunUncheckedAsync(ITestOutputHelper output, string directory, params string[] arguments) =>
        RunProcessAsync(output, directory, new Dictionary<string, string>(), "dotnet", arguments);

    /// <summary>
    /// Runs <paramref name="fileName"/> (<c>dotnet</c>, <c>git</c>) with <paramref name="arguments"/> in
    /// <paramref name="directory"/> with <paramref name="environment"/> added, whatever its exit code.
    /// </summary>
    /// <returns>The exit code, and standard output followed by standard error.</returns>
    public static async Task<(int ExitCode, string Text)> RunProcessAsync(
        ITestOutputHelper output, string directory, IReadOnlyDictionary<string, string> environment, string fileName, IReadOnlyList<string> arguments)
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
        // The test host's MSBuild settings and any real API key must not leak into the child process.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment.Remove("OPENAI_BASE_URL");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        output.WriteLine($"> {fileName} {string.Join(' ', arguments)} (in {directory})");
        output.WriteLine(text);
        return (process.ExitCode, text);
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
}
