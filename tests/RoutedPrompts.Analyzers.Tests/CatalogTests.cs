namespace RoutedPrompts.Analyzers.Tests;

/// <summary>Every rule has a help link to its docs page, a README row and a release-tracking entry; every fixable id is a rule.</summary>
public sealed class CatalogTests
{
    private static readonly string RepoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    public static TheoryData<string> RuleIds() => [.. new RoutedPromptsAnalyzer().SupportedDiagnostics.Select(d => d.Id)];

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void EveryRuleIsDocumentedAndTracked(string id)
    {
        var rule = new RoutedPromptsAnalyzer().SupportedDiagnostics.Single(d => d.Id == id);

        Assert.Equal("https://github.com/routedprompts/routedprompts/blob/main/docs/diagnostics/" + id + ".md", rule.HelpLinkUri);
        var page = File.ReadAllText(Path.Combine(RepoRoot, "docs", "diagnostics", id + ".md"));
        Assert.StartsWith("# " + id + ": " + rule.Title, page, StringComparison.Ordinal);
        Assert.Contains("| Severity | " + rule.DefaultSeverity, page, StringComparison.Ordinal);
        Assert.Contains("| [" + id + "](docs/diagnostics/" + id + ".md) | " + rule.DefaultSeverity + " |", File.ReadAllText(Path.Combine(RepoRoot, "README.md")), StringComparison.Ordinal);
        Assert.Contains(id + " | " + rule.Category + " | " + rule.DefaultSeverity + " | " + rule.Title,
            File.ReadAllText(Path.Combine(RepoRoot, "src", "RoutedPrompts.Analyzers", "AnalyzerReleases.Unshipped.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void CodeFixesFixRulesOfTheAnalyzer()
    {
        var ids = new RoutedPromptsAnalyzer().SupportedDiagnostics.Select(d => d.Id).ToHashSet();
        var fixes = typeof(RoutedPromptsAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

        Assert.Equal(4, fixes.Count);
        Assert.All(fixes.SelectMany(f => f.FixableDiagnosticIds), id => Assert.Contains(id, ids));
    }
}
