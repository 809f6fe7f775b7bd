using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// Follows the README's "Use it in your app" section as written, in an empty directory: the commands, the files and the
/// expected output are read from the README, and only the documented placeholder <c>&lt;repo&gt;</c> is substituted,
/// so the section and this test cannot drift apart. Pack → new app → add package → build (the RP warnings the section
/// names) → run on the recording → the tool's eval loop.
/// </summary>
/// <remarks>
/// How the section is read: a <c>bash</c> block is commands, one a line, with an optional <c># comment</c> (every
/// <c>RPnnnn</c> a comment names must show as a warning of that command); a <c>text</c> block is output the command
/// before it must print, line by line; any other block is a file, named by the line before it, which starts with the
/// file's path in backticks, and written relative to the directory the commands are in at that point.
/// </remarks>
[Collection(PackingCollection.Name)]
public sealed partial class UseItInYourAppTests(ITestOutputHelper output)
{
    private const string Heading = "## Use it in your app";
    private const string RepoPlaceholder = "<repo>";

    [Fact]
    public async Task The_README_section_works_verbatim_in_an_empty_directory()
    {
        var steps = Parse(await File.ReadAllTextAsync(Path.Combine(DotnetCli.RepoRoot, "README.md")));
        Assert.Contains(steps, s => s is Command { Arguments: ["dotnet", "pack", ..] });
        Assert.Contains(steps, s => s is ExpectedOutput);

        var empty = Path.Combine(DotnetCli.WorkRoot, "use-it-in-your-app");
        if (Directory.Exists(empty))
        {
            Directory.Delete(empty, recursive: true);
        }

        Directory.CreateDirectory(empty);

        // NuGet isolation: the app's restores and the tool install use a package folder of this test's own, emptied of
        // every RoutedPrompts package first, so no copy from an earlier pack can be served. (Dependencies stay cached.)
        // The pack commands work on the repository and keep the machine's folder, or they would re-restore the
        // repository's own projects into this one.
        var packages = Path.Combine(DotnetCli.WorkRoot, "use-it-in-your-app-nuget");
        foreach (var id in new[] { "routedprompts", "routedprompts.tool" })
        {
            var folder = Path.Combine(packages, id);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
        var directory = empty;
        string? lastOutput = null;
        foreach (var step in steps)
        {
            switch (step)
            {
                case FileBlock file:
                    var path = Path.Combine(directory, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllTextAsync(path, file.Content);
                    break;
                case Command { Arguments: ["cd", var target] }:
                    directory = Path.GetFullPath(Path.Combine(directory, target));
                    break;
                case Command { Arguments: ["mkdir", var target] }:
                    Directory.CreateDirectory(Path.Combine(directory, target));
                    break;
                case Command { Arguments: ["dotnet", .. var arguments] } command:
                    var onRepository = command.Line.Contains(RepoPlaceholder, StringComparison.Ordinal);
                    var substituted = arguments.Select(a => a.Replace(RepoPlaceholder, DotnetCli.RepoRoot, StringComparison.Ordinal)).ToArray();
                    var (exitCode, text) = await DotnetCli.RunProcessAsync(
                        output, directory, onRepository ? new Dictionary<string, string>() : isolated, "dotnet", substituted);
                    Assert.True(exitCode == 0, $"README line {command.LineNumber}: `{command.Line}` exited with {exitCode}:\n{text}");
                    foreach (Match rule in RuleId().Matches(command.Comment))
                    {
                        Assert.True(text.Contains($"warning {rule.Value}:", StringComparison.Ordinal),
                            $"README line {command.LineNumber} says `{command.Line}` reports {rule.Value}; it did not:\n{text}");
                    }

                    if (substituted is ["pack", ..])
                    {
                        Assert.DoesNotContain("warning", text, StringComparison.OrdinalIgnoreCase);
                    }

                    lastOutput = text;
                    break;
                case Command command:
                    Assert.Fail($"README line {command.LineNumber}: this test follows only dotnet, cd and mkdir commands, not `{command.Line}`.");
                    break;
                case ExpectedOutput expected:
                    Assert.True(lastOutput is not null, $"README line {expected.LineNumber}: output shown before any command.");
                    foreach (var line in expected.Lines)
                    {
                        Assert.True(lastOutput.Contains(line, StringComparison.Ordinal),
                            $"README line {expected.LineNumber} shows the output line `{line}`; the command printed:\n{lastOutput}");
                    }

                    break;
            }
        }

        // What the section promises without printing it: versions from git, symbols, the copied configuration, the lock file.
        var packed = Directory.GetFiles(empty, "*.nupkg", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray();
        Assert.Contains(packed, name => PackedVersion().IsMatch(name!) && name!.StartsWith("RoutedPrompts.0", StringComparison.Ordinal));
        Assert.Contains(packed, name => PackedVersion().IsMatch(name!) && name!.StartsWith("RoutedPrompts.Tool.0", StringComparison.Ordinal));
        Assert.NotEmpty(Directory.GetFiles(empty, "RoutedPrompts.0*.snupkg", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(directory, "bin", "Debug", "net10.0", "routedprompts.json")),
            "routedprompts.json is not in the app's output folder");
        Assert.True(File.Exists(Path.Combine(directory, "routedprompts.lock.json")), "calibrate wrote no routedprompts.lock.json");
    }

    /// <summary>The section's steps, in order.</summary>
    private static List<Step> Parse(string readme)
    {
        var lines = readme.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, Heading);
        Assert.True(start >= 0, $"README.md has no '{Heading}' section.");
        var steps = new List<Step>();
        for (var i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var open = i;
            var body = new List<string>();
            for (i++; i < lines.Length && lines[i] != "```"; i++)
            {
                body.Add(lines[i]);
            }

            Assert.True(i < lines.Length, $"README line {open + 1}: the code block is not closed.");
            switch (language)
            {
                case "bash":
                    for (var j = 0; j < body.Count; j++)
                    {
                        var commentAt = body[j].IndexOf('#', StringComparison.Ordinal);
                        var line = (commentAt < 0 ? body[j] : body[j][..commentAt]).Trim();
                        var comment = commentAt < 0 ? string.Empty : body[j][(commentAt + 1)..];
                        if (line.Length == 0)
                        {
                            continue;
                        }

                        Assert.True(line.IndexOfAny(['"', '\'', '|', '&', ';', '$', '`']) < 0,
                            $"README line {open + j + 2}: `{line}` uses shell syntax this test does not follow.");
                        var placeholders = Placeholder().Matches(line).Select(m => m.Value).Where(p => p != RepoPlaceholder).ToArray();
                        Assert.True(placeholders.Length == 0,
                            $"README line {open + j + 2}: `{line}` has a placeholder other than {RepoPlaceholder}: {string.Join(", ", placeholders)}.");
                        steps.Add(new Command(open + j + 2, line, line.Split(' ', StringSplitOptions.RemoveEmptyEntries), comment));
                    }

                    break;
                case "text":
                    steps.Add(new ExpectedOutput(open + 1, body.Where(l => l.Length > 0).ToArray()));
                    break;
                default:
                    var name = lines.Take(open).Reverse().FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
                    var file = FileName().Match(name);
                    Assert.True(file.Success, $"README line {open + 1}: a file's code block must follow a line that starts with its path in backticks.");
                    steps.Add(new FileBlock(file.Groups[1].Value, string.Join('\n', body) + "\n"));
                    break;
            }
        }

        return steps;
    }

    [GeneratedRegex(@"\bRP\d{4}\b")]
    private static partial Regex RuleId();

    [GeneratedRegex(@"<[A-Za-z][A-Za-z0-9 _-]*>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^`([^`]+)`")]
    private static partial Regex FileName();

    /// <summary>A pack's version comes from git: <c>0.1.0-dev.&lt;height&gt;.g&lt;commit&gt;</c>, <c>.dirty.&lt;time&gt;</c> when uncommitted.</summary>
    [GeneratedRegex(@"\.0\.1\.0-dev\.[0-9]+\.g[0-9a-f]{7,}(\.dirty\.[0-9]{14})?\.nupkg$")]
    private static partial Regex PackedVersion();

    private abstract record Step;

    private sealed record Command(int LineNumber, string Line, string[] Arguments, string Comment) : Step;

    private sealed record FileBlock(string Path, string Content) : Step;

    private sealed record ExpectedOutput(int LineNumber, string[] Lines) : Step;
}
