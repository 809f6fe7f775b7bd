using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedPrompts;

/// <summary>
/// Hands the <c>dotnet routed-prompts</c> tool the application's providers at design time, as
/// <c>IDesignTimeDbContextFactory</c> does for <c>dotnet ef</c>: <c>eval</c> calls every deployment through the keyed
/// <c>IChatClient</c>s registered here (Azure OpenAI, Anthropic, Ollama, any <c>IChatClient</c>), the judge of the
/// semantic scorer included. Implement it once in the application's assembly, in a public or internal class with a
/// parameterless constructor; the tool finds it in the built assembly. Provider keys it does not register fall back to
/// an OpenAI-compatible client from <c>OPENAI_API_KEY</c> (and <c>OPENAI_BASE_URL</c>); <c>eval --replay</c> answers every
/// provider from the recording and does not call it.
/// </summary>
public interface IRoutedPromptsDesignTimeServices
{
    /// <summary>
    /// Registers the application's providers: one keyed <c>IChatClient</c> per provider key its deployments name
    /// (<c>services.AddKeyedChatClient("azure", ...)</c>), and whatever those clients need. The tool adds RoutedPrompts
    /// itself from <c>routedprompts.json</c>: an <c>AddRoutedPrompts</c> call made here is ignored.
    /// </summary>
    /// <param name="services">The services the tool builds its routers from.</param>
    /// <param name="configuration">
    /// <c>routedprompts.json</c> (under the <c>RoutedPrompts</c> section) and the environment variables, as the tool reads
    /// them; read secrets from here (environment variables) or build your own configuration.
    /// </param>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
