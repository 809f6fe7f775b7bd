using NJsonSchema;

namespace RoutedPrompts.Tests;

public sealed class SchemaDialectTests
{
    // The shape the generator emits for a recursive result type: the recursive record lives under $defs.
    private const string Recursive = """
        {"type":"object","properties":{"title":{"type":"string"},"steps":{"type":"array","items":{"$ref":"#/$defs/Step"}}},
         "required":["title","steps"],"additionalProperties":false,
         "$defs":{"Step":{"type":"object","properties":{"text":{"type":"string"},"next":{"anyOf":[{"$ref":"#/$defs/Step"},{"type":"null"}]}},
                  "required":["text","next"],"additionalProperties":false}}}
        """;

    [Fact]
    public async Task Recursive_2020_12_schema_loads_and_validates_through_NJsonSchema()
    {
        var schema = await JsonSchema.FromJsonAsync(SchemaDialect.ForNJsonSchema(Recursive));

        Assert.Empty(schema.Validate("""{"title":"t","steps":[{"text":"a","next":{"text":"b","next":null}}]}"""));
        var errors = schema.Validate("""{"title":"t","steps":[{"text":"a","next":{"text":2,"next":null}}]}""");
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Schema_without_defs_is_returned_unchanged()
    {
        const string plain = """{"type":"object","properties":{"a":{"type":"string"}}}""";
        Assert.Same(plain, SchemaDialect.ForNJsonSchema(plain));
    }

    [Fact]
    public void Defs_merge_into_existing_definitions_and_every_reference_is_rewritten()
    {
        var rewritten = SchemaDialect.ForNJsonSchema(
            """{"definitions":{"A":{"type":"string"}},"$defs":{"B":{"$ref":"#/$defs/B"}},"items":[{"$ref":"#/$defs/B"}]}""");

        Assert.DoesNotContain("$defs", rewritten, StringComparison.Ordinal);
        Assert.Contains("\"A\":{\"type\":\"string\"}", rewritten, StringComparison.Ordinal);
        Assert.Contains("\"B\":{\"$ref\":\"#/definitions/B\"}", rewritten, StringComparison.Ordinal);
        Assert.Contains("\"items\":[{\"$ref\":\"#/definitions/B\"}]", rewritten, StringComparison.Ordinal);
    }
}
