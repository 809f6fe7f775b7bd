using RoutedPrompts.Analyzers.CodeFixes;
using RoutedPrompts.Analyzers.Tests.Infrastructure;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>
/// A routed method's <c>RouteContext</c> parameter goes to the router, never into the prompt: it is not an unused template
/// parameter (RP0109), a placeholder naming it is RP0126, a second one RP0127, and eval rows do not give it.
/// </summary>
public sealed class RouteContextTests
{
    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    [Fact]
    public Task A_route_context_parameter_is_not_an_unused_template_parameter() => Verify.VerifyDiagnosticsAsync(Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "{ticket}")]
            public partial Task<string> FirstAsync(RouteContext context, string ticket);

            [RoutedPrompt(Tier.Small, Prompt = "{ticket} {customer}")]
            public partial Task<string> MiddleAsync(string ticket, RouteContext? context, string customer, CancellationToken cancellationToken);

            [RoutedPrompt(Tier.Small, Prompt = "{ticket}")]
            public partial Task<string> LastAsync(string ticket, int {|#0:unused|}, CancellationToken cancellationToken = default, RouteContext? @event = null);

            [RoutedPrompt(Tier.Small, Prompt = "Say hello.")]
            public partial Task<string> OnlyAsync(RouteContext? context = null);
        """),
        // The rule still fires for a parameter that should be rendered and is not.
        Diagnostic(DiagnosticDescriptors.UnusedParameter).WithLocation(0).WithArguments("unused", "LastAsync"));

    [Fact]
    public Task A_placeholder_naming_the_route_context_is_reported_on_the_placeholder() => Verify.VerifyDiagnosticsAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "{ticket} for {|#0:{context}|}")]
            public partial Task<string> InlineAsync(string ticket, RouteContext? context);

            [RoutedPrompt(Tier.Small, PromptFile = "prompts/file.txt")]
            public partial Task<string> FileAsync(RouteContext context, string ticket);

            [RoutedPrompt(Tier.Small, Prompt = "{ticket} for {|#1:{other}|}")]
            public partial Task<string> UnknownAsync(string ticket, RouteContext? context);
        """),
        [("/project/prompts/file.txt", "Ticket: {ticket}\nFrom: {context}\n")],
        Diagnostic(DiagnosticDescriptors.ContextPlaceholder).WithLocation(0).WithArguments("context", "InlineAsync"),
        Diagnostic(DiagnosticDescriptors.ContextPlaceholder).WithSpan("/project/prompts/file.txt", 2, 7, 2, 16).WithArguments("context", "FileAsync"),
        // A placeholder naming no parameter stays RP0107.
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("other", "UnknownAsync"));

    [Fact]
    public Task A_second_route_context_is_reported_on_that_parameter() => Verify.VerifyDiagnosticsAsync(Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "{ticket}")]
            public partial Task<string> TwoAsync(RouteContext first, string ticket, RouteContext? {|#0:second|});

            [RoutedPrompt(Tier.Small, Prompt = "{ticket}")]
            public partial Task<string> ThreeAsync(RouteContext? a, RouteContext {|#1:b|}, string ticket, RouteContext? {|#2:c|} = null);
        """),
        Diagnostic(DiagnosticDescriptors.MultipleContexts).WithLocation(0).WithArguments("second", "TwoAsync", "first"),
        Diagnostic(DiagnosticDescriptors.MultipleContexts).WithLocation(1).WithArguments("b", "ThreeAsync", "a"),
        Diagnostic(DiagnosticDescriptors.MultipleContexts).WithLocation(2).WithArguments("c", "ThreeAsync", "a"));

    [Fact]
    public Task Eval_rows_need_no_input_for_the_route_context_and_may_not_give_one() => Verify.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, EvalSet = "evals/summary.jsonl", Prompt = "Summarize {text}", ConfidenceThreshold = 0.5)]
            public partial Task<string> SummarizeAsync(RouteContext? context, string text);
        """),
        [Sources.Config(), ("/project/evals/summary.jsonl", "{\"inputs\": {\"text\": \"a\", \"context\": {\"feature\": \"x\"}}, \"expected\": \"x\"}\n" + Sources.TextRows(50))],
        null,
        Diagnostic(Rules.EvalRowUnusable).WithSpan("/project/evals/summary.jsonl", 1, 1, 1, 72)
            .WithArguments(1, "evals/summary.jsonl", "Prompts.Summarize", "'inputs' do not match the parameters; no parameter named 'context'"));

    [Fact]
    public Task Add_parameter_puts_the_new_parameter_before_the_route_context() => FixTest<AddParameterFix>.VerifyAsync(
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "Reply to {ticket} in {|#0:{language}|}")]
            public partial Task<string> ReplyAsync(string ticket, RouteContext? context = null);

            [RoutedPrompt(Tier.Small, Prompt = "Reply in {|#1:{language}|}")]
            public partial Task<string> OnlyAsync(RouteContext context);
        """),
        Sources.Prompts("""
            [RoutedPrompt(Tier.Small, Prompt = "Reply to {ticket} in {language}")]
            public partial Task<string> ReplyAsync(string ticket, string language, RouteContext? context = null);

            [RoutedPrompt(Tier.Small, Prompt = "Reply in {language}")]
            public partial Task<string> OnlyAsync(string language, RouteContext context);
        """),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("language", "ReplyAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("language", "OnlyAsync"));
}
