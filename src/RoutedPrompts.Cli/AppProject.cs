using System.Diagnostics;

namespace RoutedPrompts.Cli;

/// <summary>How the tool builds (or only locates) the application when no <c>--assembly</c> is given.</summary>
/// <param name="Build">Whether to build first (<see langword="false"/>: <c>--no-build</c>, use the existing output).</param>
/// <param name="Configuration">The build configuration (default Debug).</param>
/// <param name="Framework">The target framework of a multi-targeted project, or <see langword="null"/>.</param>
/// <param name="Properties">Further MSBuild properties (<c>Name=Value</c>).</param>
internal sealed record BuildSettings(bool Build, string Configuration, string? Framework, IReadOnlyList<string> Properties);

/// <summary>
/// Finds the application's project in the project directory and builds it with <c>dotnet build</c> (as <c>dotnet ef</c>
/// does), returning the built assembly's path, MSBuild's own <c>TargetPath</c>.
/// </summary>
internal static class AppProject
{
    private const int FailureLines = 30;

    /// <summary>Builds (or, without <see cref="BuildSettings.Build"/>, only locates) the project's output assembly.</summary>
    /// <param name="projectDirectory">The directory holding exactly one <c>.csproj</c>.</param>
    /// <param name="settings">How to build.</param>
    /// <param name="progress">Where to say what is being built.</param>
    /// <returns>The full path of the built assembly.</returns>
    /// <exception cref="InvalidOperationException">No or several projects, a failed build, or a multi-targeted project without a framework.</exception>
    /// <exception cref="FileNotFoundException">With <c>--no-build</c>: the project has not been built yet.</exception>
    public static string Output(string projectDirectory, BuildSettings settings, Action<string> progress)
    {
        var projects = Directory.Exists(projectDirectory) ? Directory.GetFiles(projectDirectory, "*.csproj") : [];
        var project = projects.Length switch
        {
            0 => throw new InvalidOperationException($"No project (*.csproj) in {projectDirectory}: pass --project-dir <the application's project directory>, or --assembly <its built .dll>."),
            1 => projects[0],
            _ => throw new InvalidOperationException($"Several projects in {projectDirectory} ({string.Join(", ", projects.Select(Path.GetFileName).Order(StringComparer.Ordinal))}): pass --assembly <the application's built .dll>."),
        };

        List<string> arguments = settings.Build
            ? ["build", project, "-c", settings.Configuration, "-t:Build"]
            : ["msbuild", project, $"-p:Configuration={settings.Configuration}"];
        if (settings.Framework is { } framework)
        {
            arguments.Add(settings.Build ? "-f" : $"-p:TargetFramework={framework}");
            if (settings.Build)
            {
                arguments.Add(framework);
            }
        }

        arguments.AddRange(settings.Properties.Select(p => "-p:" + p));
        arguments.AddRange(["-nologo", "-v:q", "-getProperty:TargetPath"]);
        progress(settings.Build ? $"Building {project} ({settings.Configuration})…" : $"Locating the build output of {project} ({settings.Configuration})…");

        var (exitCode, output, errors) = Dotnet(arguments, Path.GetDirectoryName(project)!);
        var command = "dotnet " + string.Join(' ', arguments);
        if (exitCode != 0)
        {
            var tail = (output + "\n" + errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(FailureLines);
            throw new InvalidOperationException($"{command} exited with {exitCode}:\n{string.Join('\n', tail)}\nFix the build, or pass --assembly <the application's built .dll>.");
        }

        // With one -getProperty, MSBuild's last line of standard output is the property's value, printed after the build.
        var targetPath = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
        if (targetPath.Length == 0 || !targetPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(settings.Framework is null
                ? $"{project} has no single output assembly (it targets several frameworks): pass --framework <one of them>, or --assembly <the built .dll>."
                : $"{command} reported no output assembly ('{targetPath}'): pass --assembly <the application's built .dll>.");
        }

        return File.Exists(targetPath)
            ? targetPath
            : throw new FileNotFoundException($"{targetPath} does not exist: {project} has not been built in {settings.Configuration}. Run without --no-build, or pass --assembly.", targetPath);
    }

    private static (int ExitCode, string Output, string Errors) Dotnet(IEnumerable<string> arguments, string directory)
    {
        // Under `dotnet run` / `dotnet tool` the SDK names the host it runs on; otherwise `dotnet` from PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Run from inside another build (an MSBuild Exec task, a test host), the parent's MSBuild must not leak in.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Replace("\r", string.Empty, StringComparison.Ordinal), errors.GetAwaiter().GetResult().Replace("\r", string.Empty, StringComparison.Ordinal));
    }
}
