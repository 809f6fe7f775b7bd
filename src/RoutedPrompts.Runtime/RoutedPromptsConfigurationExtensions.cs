using Microsoft.Extensions.FileProviders;
using RoutedPrompts;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds a project's <c>routedprompts.json</c> to a configuration.</summary>
public static class RoutedPromptsConfigurationExtensions
{
    /// <summary>
    /// Loads a <c>routedprompts.json</c> file (whose root has the shape of the <c>RoutedPrompts</c> section:
    /// <c>Tiers</c>, <c>Tasks</c>, ...) under the <c>RoutedPrompts:</c> prefix. A file whose only root key is
    /// <c>RoutedPrompts</c> is loaded as it is. Comments and trailing commas are accepted. The file is read once, when
    /// this method is called; its keys are checked at start-up by the options validation (and at build time by the
    /// analyzers, RP0013/RP0014), against one shape.
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="path">The file's path; a relative path is resolved against the builder's base path.</param>
    /// <param name="optional">Whether a missing file is ignored.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist and is not optional.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    public static IConfigurationBuilder AddRoutedPromptsFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.IsPathRooted(path) ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(BasePath(builder), path));
        if (!File.Exists(fullPath))
        {
            if (optional)
            {
                return builder;
            }

            throw new FileNotFoundException(
                $"The RoutedPrompts configuration file '{fullPath}' does not exist. Add routedprompts.json next to the project (the RoutedPrompts package copies it to the output directory), pass the path of the file, or pass optional: true when the RoutedPrompts section comes from other configuration.",
                fullPath);
        }

        IConfigurationRoot file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException(
                $"The RoutedPrompts configuration file '{fullPath}' is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        var wrapped = RoutedPrompts.Shared.RoutedPromptsShape.IsWrapped(file.GetChildren().Select(c => c.Key).ToArray());
        var values = file.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .Select(pair => new KeyValuePair<string, string?>(
                wrapped ? pair.Key : ConfigurationPath.Combine(RoutedPromptsOptions.SectionName, pair.Key), pair.Value))
            .ToArray();
        return builder.AddInMemoryCollection(values);
    }

    private static string BasePath(IConfigurationBuilder builder) =>
        builder.GetFileProvider() is PhysicalFileProvider physical ? physical.Root : AppContext.BaseDirectory;
}
