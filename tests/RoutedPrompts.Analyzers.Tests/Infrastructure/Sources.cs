using System.Text;

namespace RoutedPrompts.Analyzers.Tests.Infrastructure;

/// <summary>Test inputs: a prompts class, a routedprompts.json and eval rows.</summary>
internal static class Sources
{
    public const string Usings = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using RoutedPrompts;

        """;

    public const string ConfigPath = "/project/routedprompts.json";

    /// <summary><c>Usings</c>, then <c>public partial class Prompts(PromptRouter router) { members }</c> (members start on line 7).</summary>
    public static string Prompts(string members) =>
        Usings + "public partial class Prompts(PromptRouter router)\n{\n" + members + "\n}\n";

    /// <summary>A routedprompts.json with two equal-quality deployments per tier (or one, when asked).</summary>
    public static (string Path, string Text) Config(bool singleDeployment = false, string tasks = "{}")
    {
        string Tier(string model, double input, double output) =>
            "{ \"Deployments\": [ " + Deployment("openai", model, input, output) +
            (singleDeployment ? string.Empty : ", " + Deployment("azure", model, input, output)) + " ] }";
        var text = "{\n  \"Tiers\": {\n" +
            "    \"Small\": " + Tier("gpt-4o-mini", 0.15, 0.6) + ",\n" +
            "    \"Medium\": " + Tier("gpt-4.1-mini", 0.4, 1.6) + ",\n" +
            "    \"Large\": " + Tier("gpt-4o", 2.5, 10) + "\n" +
            "  },\n  \"Tasks\": " + tasks + "\n}\n";
        return (ConfigPath, text);
    }

    public static string Deployment(string provider, string model, double input, double output) =>
        FormattableString.Invariant($"{{ \"Provider\": \"{provider}\", \"Model\": \"{model}\", \"InputUsdPerMillionTokens\": {input}, \"OutputUsdPerMillionTokens\": {output} }}");

    /// <summary><paramref name="count"/> usable rows of a text task with one parameter <c>text</c>.</summary>
    public static string TextRows(int count) => Rows(count, "{\"inputs\": {\"text\": \"some text\"}, \"expected\": \"a summary\"}");

    public static string Rows(int count, string row)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(row).Append('\n');
        }

        return builder.ToString();
    }
}
