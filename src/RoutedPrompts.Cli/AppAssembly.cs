using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace RoutedPrompts.Cli;

/// <summary>The application as the tool loaded it.</summary>
/// <param name="Tasks">Its routed tasks.</param>
/// <param name="Assembly">Its assembly (where its <see cref="IRoutedPromptsDesignTimeServices"/> is), or <see langword="null"/> for an in-process catalog.</param>
internal sealed record LoadedApp(IReadOnlyList<RoutedTask> Tasks, Assembly? Assembly);

/// <summary>Loads an application assembly so that its generated registry registers its routed tasks.</summary>
internal static class AppAssembly
{
    /// <summary>
    /// Loads <paramref name="path"/> into the default load context (so its <c>RoutedPrompts</c> reference binds to the
    /// tool's, sharing <see cref="RoutedTaskCatalog"/>), resolves its other dependencies from its directory, and runs
    /// its module initializer, which registers the generated task descriptors.
    /// </summary>
    /// <param name="path">The application's built assembly (e.g. <c>bin/Debug/net10.0/MyApp.dll</c>).</param>
    /// <returns>The routed tasks the assembly declares, and the assembly.</returns>
    /// <exception cref="FileNotFoundException">The assembly does not exist.</exception>
    public static LoadedApp Load(string path)
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
        return new LoadedApp(RoutedTaskCatalog.Tasks.Where(t => Declares(assembly, t)).ToArray() is { Length: > 0 } own ? own : RoutedTaskCatalog.Tasks, assembly);

        static bool Declares(Assembly assembly, RoutedTask task) => assembly.GetType(task.DeclaringType, throwOnError: false) is not null;
    }

    /// <summary>
    /// The application's <see cref="IRoutedPromptsDesignTimeServices"/>: the one non-abstract class of
    /// <paramref name="assembly"/> implementing it, created with its parameterless constructor.
    /// </summary>
    /// <param name="assembly">The application's assembly.</param>
    /// <returns>The design-time services, or <see langword="null"/> when the assembly has none.</returns>
    /// <exception cref="InvalidOperationException">Several implementations, no parameterless constructor, or the constructor threw.</exception>
    public static IRoutedPromptsDesignTimeServices? DesignTimeServices(Assembly assembly)
    {
        Type?[] types;
        string? loadError = null;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
            loadError = ex.LoaderExceptions.FirstOrDefault(e => e is not null)?.Message;
        }

        var found = types.OfType<Type>()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IRoutedPromptsDesignTimeServices).IsAssignableFrom(t))
            .ToArray();
        var name = assembly.GetName().Name;
        if (found.Length == 0)
        {
            return loadError is null
                ? null
                : throw new InvalidOperationException($"Some types of {name} could not be loaded ({loadError}), so its {nameof(IRoutedPromptsDesignTimeServices)} may be among them. Rebuild the application against the tool's RoutedPrompts version.");
        }

        if (found.Length > 1)
        {
            throw new InvalidOperationException(
                $"{name} has several {nameof(IRoutedPromptsDesignTimeServices)} implementations ({string.Join(", ", found.Select(t => t.FullName).Order(StringComparer.Ordinal))}): keep one.");
        }

        var type = found[0];
        var constructor = type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
            ?? throw new InvalidOperationException($"{type.FullName} ({nameof(IRoutedPromptsDesignTimeServices)}) has no parameterless constructor: add one, so the tool can create it.");
        try
        {
            return (IRoutedPromptsDesignTimeServices)constructor.Invoke(null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            throw new InvalidOperationException($"{type.FullName}'s constructor threw {inner.GetType().Name}: {inner.Message}", inner);
        }
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
