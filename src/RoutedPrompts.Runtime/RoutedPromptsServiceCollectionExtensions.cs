using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoutedPrompts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RoutedPrompts in a service collection.</summary>
public static class RoutedPromptsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="PromptRouter"/> with options bound from the <c>RoutedPrompts</c> section of
    /// <paramref name="configuration"/>, validated at start-up. Register each provider named in the configuration as a
    /// keyed <c>IChatClient</c>: <c>services.AddKeyedChatClient("openai", sp =&gt; ...)</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration (its <c>RoutedPrompts</c> section is bound).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddRoutedPrompts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(RoutedPromptsOptions.SectionName);
        services.AddOptions<RoutedPromptsOptions>().Bind(section).ValidateOnStart();
        services.TryAddSingleton(new RoutedPromptsConfigurationSection(section)); // its keys are validated too

        return AddCore(services);
    }

    /// <summary>Registers the <see cref="PromptRouter"/> with options configured in code, validated at start-up.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddRoutedPrompts(this IServiceCollection services, Action<RoutedPromptsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RoutedPromptsOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutedPromptsOptions>, RoutedPromptsOptionsValidator>());
        services.TryAddSingleton<PromptRouter>();
        return services;
    }
}
