using RoutedPrompts.Analyzers.CodeFixes;
using RoutedPrompts.Analyzers.Tests.Infrastructure;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>Every code fix: before and after, and fix-all (the testing framework also applies fix-all in document, project and solution scope).</summary>
public sealed class CodeFixTests
{
    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    [Fact]
    public Task Add_eval_set_creates_the_file_and_sets_the_argument() => FixTest<AddEvalSetFix>.VerifyAsync(
        Sources.Prompts("""
            [{|#0:RoutedPrompt(Tier.Small, Prompt = "Classify {ticket} in {maxWords}")|}]
            public partial Task<Triage> TriageAsync(string ticket, int maxWords, CancellationToken cancellationToken = default);

            [{|#1:RoutedPrompt(Tier.Small, Prompt = "Summarize {text}")|}]
            public partial Task<string> SummarizeAsync(string text);
        """) + """
            public enum Category { Billing, Technical }
            public sealed record Triage(Category Category, string Summary, int Score, bool Urgent, List<string> Tags, Triage? Parent);
            """,
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "Classify {ticket} in {maxWords}", EvalSet = "evals/Prompts.Triage.jsonl")]
            public partial Task<Triage> TriageAsync(string ticket, int maxWords, CancellationToken cancellationToken = default);

            [RoutedPrompt(Tier.Small, Prompt = "Summarize {text}", EvalSet = "evals/Prompts.Summarize.jsonl")]
            public partial Task<string> SummarizeAsync(string text);
        """) + """
            public enum Category { Billing, Technical }
            public sealed record Triage(Category Category, string Summary, int Score, bool Urgent, List<string> Tags, Triage? Parent);
            """,
        [],
        [
            ("/0/evals/Prompts.Triage.jsonl", "{\"inputs\": {\"ticket\": \"\", \"maxWords\": null}, \"expected\": {\"category\": \"Billing\", \"summary\": \"\", \"score\": 0, \"urgent\": false, \"tags\": [], \"parent\": null}}\n"),
            ("/0/evals/Prompts.Summarize.jsonl", "{\"inputs\": {\"text\": \"\"}, \"expected\": \"\"}\n"),
        ],
        Diagnostic(Rules.NoEvalSet).WithLocation(0).WithArguments("Prompts.Triage", "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"evals/Prompts.Triage.jsonl\")"),
        Diagnostic(Rules.NoEvalSet).WithLocation(1).WithArguments("Prompts.Summarize", "set EvalSet on its [RoutedPrompt] attribute to a JSONL file of examples (e.g. \"evals/Prompts.Summarize.jsonl\")"));

    [Fact]
    public Task Make_type_and_method_partial() => FixTest<MakePartialFix>.VerifyAsync(
        Sources.Usings + """
            public class {|#0:Outer|}
            {
                public partial class Inner(PromptRouter router)
                {
                    [RoutedPrompt(Tier.Small, Prompt = "x")]
                    public Task<string> {|#1:RunAsync|}() => Task.FromResult("");

                    [RoutedPrompt(Tier.Small, Prompt = "x")]
                    public async Task<string> {|#2:OtherAsync|}()
                    {
                        return await Task.FromResult("");
                    }
                }
            }

            static class {|#3:Bare|}
            {
                static PromptRouter Router = null!;

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                static partial Task<string> RunAsync();
            }
            """,
        Sources.Usings + """
            public partial class Outer
            {
                public partial class Inner(PromptRouter router)
                {
                    [RoutedPrompt(Tier.Small, Prompt = "x")]
                    public partial Task<string> RunAsync();

                    [RoutedPrompt(Tier.Small, Prompt = "x")]
                    public partial Task<string> OtherAsync();
                }
            }

            static partial class Bare
            {
                static PromptRouter Router = null!;

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                static partial Task<string> RunAsync();
            }
            """,
        Diagnostic(DiagnosticDescriptors.TypeMustBePartial).WithLocation(0).WithArguments("Outer", "RunAsync"),
        Diagnostic(DiagnosticDescriptors.TypeMustBePartial).WithLocation(0).WithArguments("Outer", "OtherAsync"),
        Diagnostic(DiagnosticDescriptors.MethodMustBePartial).WithLocation(1).WithArguments("RunAsync"),
        Diagnostic(DiagnosticDescriptors.MethodMustBePartial).WithLocation(2).WithArguments("OtherAsync"),
        Diagnostic(DiagnosticDescriptors.TypeMustBePartial).WithLocation(3).WithArguments("Bare", "RunAsync"));

    [Fact]
    public Task Add_parameter_for_unknown_placeholders() => FixTest<AddParameterFix>.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "Reply to {ticket} in {|#0:{language}|} within {|#1:{limit}|} words")]
            public partial Task<string> ReplyAsync(string ticket, CancellationToken cancellationToken = default);

            [RoutedPrompt(Tier.Small, Prompt = "Hello {|#2:{name}|} {|#3:{class}|}")]
            public partial Task<string> GreetAsync();
        """),
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "Reply to {ticket} in {language} within {limit} words")]
            public partial Task<string> ReplyAsync(string ticket, string language, string limit, CancellationToken cancellationToken = default);

            [RoutedPrompt(Tier.Small, Prompt = "Hello {name} {|#0:{class}|}")]
            public partial Task<string> GreetAsync(string name);
        """),
        [
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("language", "ReplyAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("limit", "ReplyAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(2).WithArguments("name", "GreetAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(3).WithArguments("class", "GreetAsync"),
        ],
        [Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("class", "GreetAsync")]);

    [Fact]
    public Task Add_router_primary_constructor_parameter() => FixTest<AddRouterFix>.VerifyAsync(
        Sources.Usings + """
            public partial class NoRouter
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#0:OneAsync|}();

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#1:TwoAsync|}();
            }

            public partial class WithOptions<T>(string name) : System.IDisposable
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#2:RunAsync|}();

                public void Dispose() { }
            }

            public partial class WithConstructor
            {
                public WithConstructor() { }

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#3:RunAsync|}();
            }
            """,
        Sources.Usings + """
            public partial class NoRouter(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> OneAsync();

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> TwoAsync();
            }

            public partial class WithOptions<T>(string name, PromptRouter router) : System.IDisposable
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> RunAsync();

                public void Dispose() { }
            }

            public partial class WithConstructor
            {
                public WithConstructor() { }

                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#0:RunAsync|}();
            }
            """,
        [
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(0).WithArguments("OneAsync", "NoRouter", string.Empty),
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(1).WithArguments("TwoAsync", "NoRouter", string.Empty),
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(2).WithArguments("RunAsync", "WithOptions", string.Empty),
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(3).WithArguments("RunAsync", "WithConstructor", string.Empty),
        ],
        [Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(0).WithArguments("RunAsync", "WithConstructor", string.Empty)]);
}
