using RoutedPrompts.Analyzers.Tests.Infrastructure;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>The sample as the analyzers see it: its own sources, AdditionalFiles (its lock file included: the triage entry is current, no RP0004) and .editorconfig.</summary>
public sealed class SampleTests
{
    private static readonly string SampleDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples/SupportTriage"));

    [Fact]
    public Task The_sample_is_clean()
    {
        var files = new[] { "routedprompts.json", "routedprompts.lock.json", "evals/triage.jsonl", "evals/refund.jsonl", "evals/reply.jsonl", "schemas/refund.json", "prompts/extract-refund.txt" }
            .Select(f => ("/sample/" + f, File.ReadAllText(Path.Combine(SampleDirectory, f))));
        var source = "global using System;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n" + File.ReadAllText(Path.Combine(SampleDirectory, "SupportPrompts.cs"));
        var test = new AnalyzerTest(source, files, File.ReadAllText(Path.Combine(SampleDirectory, ".editorconfig")));
        return test.RunAsync();
    }
}
