#nullable enable
using System;
using System.Collections.Generic;
using System.Linq;

namespace RoutedPrompts.Shared
{
    /// <summary>An AdditionalFile that counts: its position among the project's AdditionalFiles, path and text.</summary>
    internal sealed class SelectedFile
    {
        public SelectedFile(int index, string path, string text)
        {
            Index = index;
            Path = path;
            Text = text;
        }

        /// <summary>Its position in the list <see cref="ProjectFileSelection.Select"/> was given.</summary>
        public int Index { get; }

        public string Path { get; }

        public string Text { get; }
    }

    /// <summary>An AdditionalFile that does not count, and why.</summary>
    internal sealed class ProjectFileProblem
    {
        public ProjectFileProblem(string path, string message)
        {
            Path = path;
            Message = message;
        }

        public string Path { get; }

        public string Message { get; }
    }

    /// <summary>
    /// Which of the project's AdditionalFiles count, the one rule the analyzers and the generator both apply (so RP0004
    /// and the baked start tier come from the same lock file): a file that cannot be read does not count, nor does a
    /// second file under a path already taken; of several <c>routedprompts.json</c> or <c>routedprompts.lock.json</c>
    /// files (the name compared ignoring case) the one with the shortest path counts, the ordinally first path among
    /// equally long ones, whatever the order the compiler lists them in.
    /// </summary>
    internal sealed class ProjectFileSelection
    {
        private ProjectFileSelection(IReadOnlyList<SelectedFile> files, IReadOnlyList<ProjectFileProblem> problems)
        {
            Files = files;
            Problems = problems;
            Manifest = Shortest(files, RoutedPromptsManifest.FileName);
            Lock = Shortest(files, LockFile.FileName);
        }

        /// <summary>The files that count, in the order they were given.</summary>
        public IReadOnlyList<SelectedFile> Files { get; }

        /// <summary>The <c>routedprompts.json</c> that counts, or <see langword="null"/>.</summary>
        public SelectedFile? Manifest { get; }

        /// <summary>The <c>routedprompts.lock.json</c> that counts, or <see langword="null"/>.</summary>
        public SelectedFile? Lock { get; }

        /// <summary>The files that do not count.</summary>
        public IReadOnlyList<ProjectFileProblem> Problems { get; }

        /// <summary>Selects from the AdditionalFiles as the compiler lists them: each path with '/' separators, and its text or <see langword="null"/> when it cannot be read.</summary>
        public static ProjectFileSelection Select(IReadOnlyList<(string Path, string? Text)> files)
        {
            var selected = new List<SelectedFile>();
            var problems = new List<ProjectFileProblem>();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < files.Count; i++)
            {
                var (path, text) = files[i];
                if (text is null)
                {
                    problems.Add(new ProjectFileProblem(path, "'" + path + "' could not be read"));
                }
                else if (!taken.Add(path))
                {
                    problems.Add(new ProjectFileProblem(path, "'" + path + "' is among the AdditionalFiles more than once; only the first counts"));
                }
                else
                {
                    selected.Add(new SelectedFile(i, path, text));
                }
            }

            return new ProjectFileSelection(selected, problems);
        }

        /// <summary>Whether the file at <paramref name="path"/> ('/' or '\' separators) is named <paramref name="fileName"/>, ignoring case.</summary>
        public static bool HasName(string path, string fileName) =>
            string.Equals(path.Substring(Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1), fileName, StringComparison.OrdinalIgnoreCase);

        private static SelectedFile? Shortest(IEnumerable<SelectedFile> files, string fileName) =>
            files.Where(f => HasName(f.Path, fileName))
                .OrderBy(f => f.Path.Length)
                .ThenBy(f => f.Path, StringComparer.Ordinal)
                .FirstOrDefault();
    }
}
