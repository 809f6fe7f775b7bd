using RoutedPrompts.Generator.Tests.Infrastructure;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// A method shape the generator cannot implement leaves the compiler a declaration error of its own, and the command-line
/// compiler (csc's <c>CompileAndEmit</c>) reports no analyzer diagnostic once the declaration stage has an error, while
/// the generator's diagnostics are reported before that check. So the generator reports these rules: each case lists
/// every error the build shows, the rule (with its fix) among them, and a throwing stub keeps a bad return or parameter
/// type from adding CS8795.
/// </summary>
public sealed class ShapeErrorTests
{
    private const string Usings = "using System.Threading.Tasks;\nusing RoutedPrompts;\npublic sealed record Answer(string Text);\n";

    public static TheoryData<string, string, string[]> Shapes() => new()
    {
        // Not partial and no body: the compiler's CS0501 cannot be helped; RP0100 says what to write instead.
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public Task<Answer> [|AskAsync|](string x); }", "RP0100", ["CS0501", "RP0100"] },
        // A body on the implementing part and no defining part.
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<Answer> [|AskAsync|](string x) => throw null!; }", "RP0100", ["CS0759", "RP0100"] },
        // The type is not partial: no part of it can be generated, so CS8795 stays beside CS0751.
        { "public class [|P|](PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<Answer> AskAsync(string x); }", "RP0101", ["CS0751", "CS8795", "RP0101"] },
        // A generic method cannot be implemented without repeating its constraints.
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<Answer> [|AskAsync|]<T>(string x); }", "RP0102", ["CS8795", "RP0102"] },
        // Sound declarations with an unsupported parameter or return type get a stub: the rule is the only error.
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<Answer> AskAsync(in string [|x|]); }", "RP0103", ["RP0103"] },
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial Task<Answer> AskAsync(out string [|x|]); }", "RP0103", ["RP0103"] },
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] public partial [|Task|] AskAsync(string x); }", "RP0104", ["RP0104"] },
        { "public partial class P(PromptRouter router) { [RoutedPrompt(Tier.Small, Prompt = \"{x}\")] internal partial [|Task<int>|] AskAsync(string x); }", "RP0104", ["RP0104"] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_generator_reports_the_shape_it_cannot_implement(string source, string rule, string[] errors)
    {
        var marked = Usings + source;
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var (result, diagnostics, _) = GeneratorDriverHelper.Run([marked.Replace("[|", string.Empty, StringComparison.Ordinal).Replace("|]", string.Empty, StringComparison.Ordinal)]);

        Assert.Null(result.Exception);
        var reported = Assert.Single(result.Diagnostics);
        Assert.Equal(rule, reported.Id);
        Assert.True(reported.Location.IsInSource, "in the source tree, so the code fix applies to it");
        Assert.Equal(TextSpan(start, end), reported.Location.SourceSpan);
        Assert.Equal(errors, diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
    }

    private static Microsoft.CodeAnalysis.Text.TextSpan TextSpan(int start, int end) => Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end);
}
