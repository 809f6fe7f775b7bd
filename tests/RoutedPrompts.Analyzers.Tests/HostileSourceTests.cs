using System.Text;
using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>
/// Declarations that build but could never run, or that used to break the build: each is an error at the declaration
/// (or inside the schema file), with its exact location.
/// </summary>
public sealed class HostileSourceTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;
        using RoutedPrompts;

        """;

    /// <summary>A task <c>Prompts.Read</c> whose result is checked against <c>schemas/answer.json</c>.</summary>
    private static readonly string ReadsAnswer = InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/answer.json")]
            public partial Task<Answer> ReadAsync();
        """) + "public sealed record Answer(string Text);\n";

    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    private static string InType(string members) => Usings + "public partial class Prompts(PromptRouter router)\n{\n" + members + "\n}\n";

    /// <summary><c>public sealed record L1(L2 Next);</c> … <c>public sealed record Ln(int Value);</c></summary>
    private static string NestedRecords(int levels)
    {
        var records = new StringBuilder();
        for (var i = 1; i < levels; i++)
        {
            records.Append("public sealed record L").Append(i).Append("(L").Append(i + 1).Append(" Next);\n");
        }

        return records.Append("public sealed record L").Append(levels).Append("(int Value);\n").ToString();
    }

    private static string Depth(int levels) => "{\"type\":\"object\",\"x\":" + new string('[', levels - 1) + new string(']', levels - 1) + "}";

    [Fact]
    public Task Surrogate_escapes_in_the_prompt_are_mapped_to_their_source() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "\uD83D\uDE00 \U0001F600 {|#0:{nmae}|}")]
            public partial Task<string> OneAsync(string {|#2:name|});

            [RoutedPrompt(Tier.Small, Prompt = "\xD800{|#1:{b}|}\uDC00 {name}")]
            public partial Task<string> TwoAsync(string name);
        """),
        Diagnostic(DiagnosticDescriptors.UnusedParameter).WithLocation(2).WithArguments("name", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("nmae", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("b", "TwoAsync"));

    [Fact]
    public Task Result_type_nested_past_the_runtime_depth_is_an_error() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#0:Task<L1>|} DeepAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<L2> DeepestThatRunsAsync();
        """) + NestedRecords(32),
        Diagnostic(DiagnosticDescriptors.SchemaUnusableAtRunTime).WithLocation(0).WithArguments(
            "Prompts.Deep",
            "the JSON Schema derived from its result type 'L1' nests 65 levels deep, more than the 64 the router reads (each nested record adds two); flatten the result type"));

    [Fact]
    public Task Schema_file_nested_past_the_runtime_depth_is_an_error_where_it_gets_too_deep()
    {
        var tooDeep = Depth(65);
        var column = tooDeep.IndexOf('[', StringComparison.Ordinal) + 63 + 1;
        return Verify.VerifyDiagnosticsAsync(
            InType("""
                [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/deep.json")]
                public partial Task<Answer> DeepAsync();

                [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/fits.json")]
                public partial Task<Answer> FitsAsync();
            """) + "public sealed record Answer(string Text);\n",
            [("/p/schemas/deep.json", tooDeep), ("/p/schemas/fits.json", Depth(64))],
            Diagnostic(DiagnosticDescriptors.SchemaUnusableAtRunTime).WithSpan("/p/schemas/deep.json", 1, column, 1, column + 1).WithArguments(
                "Prompts.Deep",
                "the schema file 'schemas/deep.json' nests objects and arrays 65 levels deep, more than the 64 the router reads; flatten it, or move repeated parts under \"$defs\" and refer to them with \"$ref\""));
    }

    public static TheoryData<string, string, string> UnusableReferences() => new()
    {
        { """{"$ref": "#"}""", "\"#\"", "that leads back to the schema it is in without descending into a property or item, so validating an answer never ends; make it describe a property, an item or a definition" },
        { """{"type": "object", "allOf": [{"$ref": "#"}]}""", "\"#\"", "that leads back to the schema it is in without descending into a property or item, so validating an answer never ends; make it describe a property, an item or a definition" },
        { """{"type": "object", "properties": {"text": {"$ref": "#/properties/text"}}}""", "\"#/properties/text\"", "that leads back to the schema it is in without descending into a property or item, so validating an answer never ends; make it describe a property, an item or a definition" },
        { """{"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}}, "type": "object", "properties": {"text": {"$ref": "#/$defs/a"}}}""", "\"#/$defs/a\"", "that leads back to the schema it is in without descending into a property or item, so validating an answer never ends; make it describe a property, an item or a definition" },
        { """{"type": "object", "properties": {"text": {"$ref": "#/$defs/missing"}}}""", "\"#/$defs/missing\"", "that points at no schema within the file" },
        { """{"type": "object", "properties": {"text": {"$ref": "common.json#/text"}}}""", "\"common.json#/text\"", "that points outside the file; the router resolves only references within it (such as \"#/$defs/name\")" },
    };

    [Theory]
    [MemberData(nameof(UnusableReferences))]
    public Task Schema_file_references_the_router_cannot_follow_are_errors_at_the_reference(string schema, string reference, string problem)
    {
        var column = schema.IndexOf(reference, StringComparison.Ordinal) + 1;
        return Verify.VerifyDiagnosticsAsync(
            ReadsAnswer,
            [("/p/schemas/answer.json", schema)],
            Diagnostic(DiagnosticDescriptors.SchemaUnusableAtRunTime).WithSpan("/p/schemas/answer.json", 1, column, 1, column + reference.Length).WithArguments(
                "Prompts.Read", "the schema file 'schemas/answer.json' has a '$ref' " + reference + " " + problem));
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"text": {"type": "string"}, "kids": {"type": "array", "items": {"$ref": "#"}}, "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}}}""")]
    [InlineData("""{"$ref": "#/$defs/answer", "$defs": {"answer": {"type": "object", "properties": {"text": {"$ref": "#/$defs/text"}}}, "text": {"type": "string"}}}""")]
    [InlineData("""{"type": "object", "allOf": [{"properties": {"text": {"type": "string"}}}, {"$ref": "#/allOf/0"}], "enum": [{"$ref": "#"}]}""")]
    [InlineData("""{"type": "object", "definitions": {"t": {"type": "string"}}, "properties": {"text": {"$ref": "#/definitions/t"}}}""")]
    public Task RecursiveAndLocalReferencesAreFine(string schema) => Verify.VerifyDiagnosticsAsync(
        ReadsAnswer,
        [("/p/schemas/answer.json", schema)]);

    [Fact]
    public Task Members_sharing_a_json_name_are_an_error() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#0:Task<Reading>|} ReadAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#1:Task<Totals>|} TotalAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<Distinct> CaseOnlyAsync();
        """) + """
            public sealed class Reading
            {
                public int Value { get; set; }
                public int value { get; set; }
            }

            public sealed record Totals([property: JsonPropertyName("total")] decimal Net, [property: JsonPropertyName("total")] decimal Gross);

            public sealed record Distinct([property: JsonPropertyName("Amount")] decimal Gross, decimal Amount);
            """,
        Diagnostic(DiagnosticDescriptors.DuplicateJsonName).WithLocation(0).WithArguments("Value", "value", "Reading", "value"),
        Diagnostic(DiagnosticDescriptors.DuplicateJsonName).WithLocation(1).WithArguments("Net", "Gross", "Totals", "total"));

    [Theory]
    [InlineData("double.NaN", "NaN")]
    [InlineData("double.PositiveInfinity", "Infinity")]
    [InlineData("double.NegativeInfinity", "-Infinity")]
    [InlineData("-0.5", "-0.5")]
    public Task Confidence_thresholds_that_are_no_probability_are_an_error(string value, string shown) => Verify.VerifyDiagnosticsAsync(
        InType("[RoutedPrompt(Tier.Small, ConfidenceThreshold = {|#0:" + value + "|}, Prompt = \"x\")]\npublic partial Task<string> OneAsync();"),
        Diagnostic(DiagnosticDescriptors.InvalidConfidenceThreshold).WithLocation(0).WithArguments(shown, "OneAsync"));
}
