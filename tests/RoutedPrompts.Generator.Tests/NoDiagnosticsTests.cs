using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// The generator reports nothing but the shapes it cannot implement (Roslyn's guidance: generators should not report
/// diagnostics; <see cref="ShapeErrorTests"/> shows why those are the exception); the analyzers run the same shared parser
/// and report its other findings (tests/RoutedPrompts.Analyzers.Tests).
/// </summary>
public sealed class NoDiagnosticsTests
{
    [Fact]
    public void Broken_methods_are_not_emitted_and_not_reported()
    {
        var (result, _, trees) = GeneratorDriverHelper.Run(
            ["""
            using System.Threading.Tasks;
            using RoutedPrompts;

            public partial class Prompts(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "Hello {nmae}")]
                public partial Task<string> GreetAsync(string name);

                [RoutedPrompt(Tier.Small, PromptFile = "prompts/missing.txt")]
                public partial Task<string> OtherAsync(string name);
            }
            """]);

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain(trees, t => t.FilePath.EndsWith("RoutedTaskRegistry.g.cs", StringComparison.Ordinal));
    }
}
