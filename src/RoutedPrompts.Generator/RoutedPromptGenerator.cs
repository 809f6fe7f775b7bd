using Microsoft.CodeAnalysis;

namespace RoutedPrompts.Generator
{
    /// <summary>Scaffold; the generator work item replaces this file.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RoutedPromptGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
        }
    }
}
