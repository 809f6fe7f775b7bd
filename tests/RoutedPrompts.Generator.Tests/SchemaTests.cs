using NJsonSchema;
using RoutedPrompts.Generator.Tests.Fixtures;

namespace RoutedPrompts.Generator.Tests;

/// <summary>The compile-time JSON Schema of a nested record with enums, lists, nullables, recursion and DataAnnotations.</summary>
public sealed class SchemaTests
{
    private const string ExpectedSchema = """
        {"type":"object","description":"An incident report.","properties":{"title":{"type":"string","description":"What happened.","minLength":3,"maxLength":200},"severity":{"type":"string","enum":["Low","Medium","High"]},"escalation":{"type":["string","null"],"enum":["Low","Medium","High",null]},"impact":{"type":"integer","minimum":0,"maximum":10},"steps":{"type":"array","items":{"$ref":"#/$defs/Step"}},"tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":5},"counters":{"type":"object","additionalProperties":{"type":"integer"}},"owner":{"type":["string","null"]},"reportedAt":{"type":["string","null"],"format":"date-time"},"id":{"type":"string","format":"uuid"},"score":{"type":"number"},"code":{"type":["string","null"],"pattern":"^[A-Z]{3}$"},"region":{"type":"string"},"contact":{"type":"object","properties":{"name":{"type":"string"},"url":{"type":["string","null"],"format":"uri"},"levels":{"type":"array","items":{"type":"string","enum":["Low","Medium","High"]}},"aliases":{"type":["array","null"],"items":{"type":"string"}}},"required":[],"additionalProperties":false},"ext":{"type":["object","null"],"additionalProperties":{"type":["string","null"]}}},"required":["title","severity","escalation","impact","steps","tags","counters","owner","reportedAt","id","region","contact"],"additionalProperties":false,"$defs":{"Step":{"type":"object","properties":{"order":{"type":"integer"},"text":{"type":"string"},"next":{"anyOf":[{"$ref":"#/$defs/Step"},{"type":"null"}]}},"required":["order","text","next"],"additionalProperties":false}}}
        """;

    private const string GoodInstance = """
        {
          "title": "Disk full", "severity": "High", "escalation": null, "impact": 7,
          "steps": [ { "order": 1, "text": "page", "next": { "order": 2, "text": "fix", "next": null } } ],
          "tags": [ "ops" ], "counters": { "retries": 3 }, "owner": null, "reportedAt": "2025-01-02T03:04:05+00:00",
          "id": "7d0f6c35-5e4a-4a55-9f0b-8d7e7e3c1f10", "code": "OPS", "region": "us",
          "contact": { "name": "Ann", "url": "https://example.test/ann", "levels": [ "Low" ], "aliases": null },
          "ext": { "k": null }
        }
        """;

    private static string Schema => FixturePrompts.__RoutedPrompt_ReadIncidentAsync.SchemaJson!;

    /// <summary>
    /// NJsonSchema 11.6.2 resolves draft-04..07 <c>definitions</c> but not the 2020-12 <c>$defs</c> the generator emits
    /// for recursive types (RicoSuter/NJsonSchema#1536), so the references are moved there before loading. Schemas
    /// without recursive types have no <c>$defs</c> and load as they are (see <see cref="Non_recursive_schemas_load_as_they_are"/>).
    /// </summary>
    private static Task<JsonSchema> LoadAsync(string schema) =>
        JsonSchema.FromJsonAsync(schema.Replace("\"$defs\"", "\"definitions\"", StringComparison.Ordinal).Replace("#/$defs/", "#/definitions/", StringComparison.Ordinal));

    [Fact]
    public void Schema_text_is_exact() => Assert.Equal(ExpectedSchema, Schema);

    [Fact]
    public async Task NJsonSchema_accepts_a_good_instance()
    {
        var schema = await LoadAsync(Schema);

        Assert.Empty(schema.Validate(GoodInstance));
    }

    [Fact]
    public async Task Non_recursive_schemas_load_as_they_are()
    {
        var schema = await JsonSchema.FromJsonAsync(FixturePrompts.__RoutedPrompt_LocateAsync.SchemaJson!);

        Assert.Equal("""{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"},"z":{"type":"number"}},"required":["x","y"],"additionalProperties":false}""", FixturePrompts.__RoutedPrompt_LocateAsync.SchemaJson);
        Assert.Empty(schema.Validate("""{"x": 1, "y": 2}"""));
        Assert.NotEmpty(schema.Validate("""{"x": 1}"""));
    }

    [Theory]
    [InlineData("\"severity\": \"High\"", "\"severity\": \"Critical\"")] // not an enum member
    [InlineData("\"impact\": 7", "\"impact\": 11")] // [Range(0, 10)]
    [InlineData("\"tags\": [ \"ops\" ]", "\"tags\": [ ]")] // [MinLength(1)]
    [InlineData("\"title\": \"Disk full\"", "\"title\": \"D\"")] // [StringLength(200, MinimumLength = 3)]
    [InlineData("\"code\": \"OPS\"", "\"code\": \"ops\"")] // [RegularExpression]
    [InlineData("\"region\": \"us\",", "")] // [Required] member missing
    [InlineData("\"owner\": null,", "")] // positional parameter missing
    [InlineData("\"title\": \"Disk full\"", "\"title\": null")] // non-nullable
    [InlineData("\"region\": \"us\"", "\"region\": \"us\", \"extra\": 1")] // additionalProperties: false
    [InlineData("\"text\": \"fix\"", "\"text\": 2")] // inside the recursive $defs type
    public async Task NJsonSchemaRejectsABadInstance(string original, string replacement)
    {
        var schema = await LoadAsync(Schema);
        var bad = GoodInstance.Replace(original, replacement, StringComparison.Ordinal);

        Assert.NotEqual(GoodInstance, bad);
        Assert.NotEmpty(schema.Validate(bad));
    }
}
