using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace RoutedPrompts.Cli;

/// <summary>Loads an application assembly so that its generated registry registers its routed tasks.</summary>
internal static class AppAssembly
{
    /// <summary>
    /// Loads <paramref name="path"/> into the default load context (so its <c>RoutedPrompts</c> reference binds to the
    /// tool's, sharing <see cref="RoutedTaskCatalog"/>), resolves its other dependencies from its directory, and runs
    /// its module initializer, which registers the generated task descriptors.
    /// </summary>
    /// <param name="path">The application's built assembly (e.g. <c>bin/Debug/net10.0/MyApp.dll</c>).</param>
    /// <returns>The routed tasks the assembly declares.</returns>
    /// <exception cref="FileNotFoundException">The assembly does not exist.</exception>
    public static IReadOnlyList<RoutedTask> LoadTasks(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Application assembly {full} not found. Build the application first (dotnet build) and pass its .dll with --assembly.", full);
        }

        var directory = Path.GetDirectoryName(full)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        CheckRuntimeVersion(assembly.GetReferencedAssemblies(), typeof(RoutedTask).Assembly.GetName(), full);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return RoutedTaskCatalog.Tasks.Where(t => Declares(assembly, t)).ToArray() is { Length: > 0 } own ? own : RoutedTaskCatalog.Tasks;

        static bool Declares(Assembly assembly, RoutedTask task) => assembly.GetType(task.DeclaringType, throwOnError: false) is not null;
    }

    /// <summary>
    /// The app binds to the tool's own <c>RoutedPrompts</c> (they share <see cref="RoutedTaskCatalog"/>), which works when
    /// the tool's is at least as new as the one the app was built against; otherwise loading would fail with a bare
    /// <see cref="FileLoadException"/>, so say which versions and what to do.
    /// </summary>
    /// <param name="references">The app assembly's references.</param>
    /// <param name="tool">The tool's <c>RoutedPrompts</c> assembly name.</param>
    /// <param name="appPath">The app assembly, for the message.</param>
    /// <exception cref="InvalidOperationException">The app was built against a newer <c>RoutedPrompts</c> than the tool's.</exception>
    internal static void CheckRuntimeVersion(IEnumerable<AssemblyName> references, AssemblyName tool, string appPath)
    {
        var used = references.FirstOrDefault(r => string.Equals(r.Name, tool.Name, StringComparison.OrdinalIgnoreCase));
        if (used?.Version is { } wanted && tool.Version is { } have && wanted > have)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(appPath)} was built against {tool.Name} {wanted}, newer than this tool's {have}. Update the tool (dotnet tool update RoutedPrompts.Tool) to the version of the RoutedPrompts package the app uses.");
        }
    }
}
