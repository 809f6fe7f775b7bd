using RoutedPrompts.Analyzers.Tests.Infrastructure;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>RP0122: two routed tasks may not share a name (the registry would throw when the assembly loads).</summary>
public sealed class DuplicateNameTests
{
    private const string Config = """
        { "Tiers": { "Small": { "Deployments": [ { "Provider": "a", "Model": "s" }, { "Provider": "b", "Model": "s" } ] },
                     "Medium": { "Deployments": [ { "Provider": "a", "Model": "m" }, { "Provider": "b", "Model": "m" } ] },
                     "Large": { "Deployments": [ { "Provider": "a", "Model": "l" }, { "Provider": "b", "Model": "l" } ] } } }
        """;

    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest(source, [("/routedprompts.json", Config)]);
        // Only the naming rule: the eval-set and gate rules have their own tests.
        test.DisabledDiagnostics.AddRange(Rules.All.Where(r => r.Id != Rules.DuplicateTaskName.Id).Select(r => r.Id));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task Overloads_with_the_default_name_are_both_reported() => VerifyAsync("""
        using System.Threading.Tasks;
        using RoutedPrompts;

        public sealed record Triage(string Category);

        public partial class SupportPrompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "Classify: {ticket}")]
            public partial Task<Triage> {|#0:TriageAsync|}(string ticket);

            [RoutedPrompt(Tier.Small, Prompt = "Classify {id}: {ticket}")]
            public partial Task<Triage> {|#1:TriageAsync|}(int id, string ticket);
        }
        """,
        new DiagnosticResult(Rules.DuplicateTaskName).WithLocation(0).WithArguments("SupportPrompts.Triage", "'SupportPrompts.TriageAsync(int, string)'"),
        new DiagnosticResult(Rules.DuplicateTaskName).WithLocation(1).WithArguments("SupportPrompts.Triage", "'SupportPrompts.TriageAsync(string)'"));

    [Fact]
    public Task Same_type_name_in_two_namespaces_collides_and_an_explicit_name_collides_too() => VerifyAsync("""
        using System.Threading.Tasks;
        using RoutedPrompts;

        namespace A
        {
            public partial class Prompts(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "{q}")]
                public partial Task<string> {|#0:Ask|}(string q);
            }
        }

        namespace B
        {
            public partial class Prompts(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "{q}")]
                public partial Task<string> {|#1:AskAsync|}(string q);

                [RoutedPrompt(Tier.Small, Name = "Prompts.Ask", Prompt = "{q}")]
                public partial Task<string> {|#2:OtherAsync|}(string q);
            }
        }
        """,
        new DiagnosticResult(Rules.DuplicateTaskName).WithLocation(0).WithArguments("Prompts.Ask", "'B.Prompts.AskAsync(string)', 'B.Prompts.OtherAsync(string)'"),
        new DiagnosticResult(Rules.DuplicateTaskName).WithLocation(1).WithArguments("Prompts.Ask", "'A.Prompts.Ask(string)', 'B.Prompts.OtherAsync(string)'"),
        new DiagnosticResult(Rules.DuplicateTaskName).WithLocation(2).WithArguments("Prompts.Ask", "'A.Prompts.Ask(string)', 'B.Prompts.AskAsync(string)'"));

    [Fact]
    public Task Distinct_names_are_not_reported() => VerifyAsync("""
        using System.Threading.Tasks;
        using RoutedPrompts;

        public partial class Prompts(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "{q}")]
            public partial Task<string> AskAsync(string q);

            [RoutedPrompt(Tier.Small, Name = "Prompts.AskById", Prompt = "{q} {id}")]
            public partial Task<string> AskAsync(string q, int id);
        }
        """);
}
