namespace RoutedPrompts.Analyzers.Tests;

/// <summary>Every rule has a help link to its docs page, a README row and a release-tracking entry; every fixable id is a rule.</summary>
public sealed class CatalogTests
{
    private static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    /// <summary>Every rule: the analyzer's, and those the generator reports instead.</summary>
    private static readonly DiagnosticDescriptor[] AllRules =
        [.. new RoutedPromptsAnalyzer().SupportedDiagnostics, .. DiagnosticDescriptors.All.Where(d => DiagnosticDescriptors.IsReportedByGenerator(d.Id))];

    public static TheoryData<string> RuleIds() => [.. AllRules.Select(d => d.Id)];

    [Fact]
    public void Each_rule_has_one_reporter()
    {
        Assert.Equal(AllRules.Length, AllRules.Select(d => d.Id).Distinct().Count());
        Assert.Equal(DiagnosticDescriptors.All.Select(d => d.Id).Concat(Rules.All.Select(r => r.Id)).Order(), AllRules.Select(d => d.Id).Order());
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Every_rule_is_documented_and_tracked(string id)
    {
        var rule = AllRules.Single(d => d.Id == id);

        Assert.Equal("https://github.com/routedprompts/routedprompts/blob/main/docs/diagnostics/" + id + ".md", rule.HelpLinkUri);
        var page = File.ReadAllText(Path.Combine(RepoRoot, "docs", "diagnostics", id + ".md"));
        Assert.StartsWith("# " + id + ": " + rule.Title, page, StringComparison.Ordinal);
        Assert.Contains("| Severity | " + rule.DefaultSeverity, page, StringComparison.Ordinal);
        Assert.Contains("| [" + id + "](docs/diagnostics/" + id + ".md) | " + rule.DefaultSeverity + " |", File.ReadAllText(Path.Combine(RepoRoot, "README.md")), StringComparison.Ordinal);
        Assert.Contains(id + " | " + rule.Category + " | " + rule.DefaultSeverity + " | " + rule.Title,
            File.ReadAllText(Path.Combine(RepoRoot, "src", "RoutedPrompts.Analyzers", "AnalyzerReleases.Unshipped.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Code_fixes_fix_routed_prompts_rules()
    {
        var ids = AllRules.Select(d => d.Id).ToHashSet();
        var fixes = typeof(RoutedPromptsAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

        Assert.Equal(4, fixes.Count);
        Assert.All(fixes.SelectMany(f => f.FixableDiagnosticIds), id => Assert.Contains(id, ids));
    }
}
