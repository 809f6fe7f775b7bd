using System.CommandLine;
using RoutedPrompts.Evaluation;
using Spectre.Console;

namespace RoutedPrompts.Cli;

/// <summary>The <c>check</c> verb: exit 1 when a routed task has no lock entry, a stale one, or falls below its bar.</summary>
internal static class CheckCommand
{
    public static Command Create(IAnsiConsole console, Func<IReadOnlyList<RoutedTask>>? catalog)
    {
        var app = new AppOptions();
        var lockPath = new Option<FileInfo?>("--lock") { Description = $"The lock file (default: <project-dir>/{LockFile.FileName})." };
        var command = new Command("check", "For CI: fail (exit 1) when a routed task has no lock entry, its entry is stale, or its recorded cascade falls below its bar.")
        {
            lockPath,
        };
        app.AddTo(command, appOnly: true);
        command.SetAction(parse =>
        {
            var directory = app.ProjectDirectory(parse);
            var tasks = app.AppTasks(parse, catalog, console);
            var path = parse.GetValue(lockPath)?.FullName ?? Path.Combine(directory, LockFile.FileName);
            LockFile? file = null;
            if (File.Exists(path))
            {
                try
                {
                    file = LockFile.Read(path);
                }
                catch (InvalidDataException ex)
                {
                    console.MarkupLineInterpolated($"[red]{ex.Message}[/]");
                    return 1;
                }
            }

            var problems = LockCheck.Check(tasks, file, directory);
            foreach (var problem in problems)
            {
                console.MarkupLineInterpolated($"[red]{problem.Kind}[/] {problem.Message}");
            }

            if (problems.Count == 0)
            {
                console.MarkupLineInterpolated($"[green]{tasks.Count} routed task(s) match {Path.GetFileName(path)}.[/]");
            }

            foreach (var task in tasks)
            {
                if (file?.Tasks.GetValueOrDefault(task.Name)?.Classifier is { } classifier)
                {
                    console.MarkupLineInterpolated($"{task.Name}: start-tier classifier {classifier.Describe()}");
                }
            }

            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
