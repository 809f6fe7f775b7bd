using System.Runtime.CompilerServices;

namespace RoutedPrompts.Generator.Tests.Infrastructure;

/// <summary>Expected generated files, kept as <c>.cs.txt</c> data files next to the tests.</summary>
internal static class Snapshots
{
    public static string Directory { get; } = Path.Combine(ProjectDirectory(), "Snapshots");

    public static void Write(string directory, IEnumerable<SyntaxTree> trees)
    {
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(directory);
        foreach (var tree in trees)
        {
            File.WriteAllText(Path.Combine(directory, Path.GetFileName(tree.FilePath) + ".txt"), tree.ToString());
        }
    }

    private static string ProjectDirectory([CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
