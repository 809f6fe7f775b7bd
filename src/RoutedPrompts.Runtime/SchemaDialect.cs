using System.Text.Json;
using System.Text.Json.Nodes;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>
/// Adapts JSON Schema 2020-12 text to what NJsonSchema resolves: it follows draft-04..07 <c>definitions</c> but not
/// <c>$defs</c> (RicoSuter/NJsonSchema#1536). The generator puts recursive result types under <c>$defs</c>, and
/// user schema files may too; providers are still sent the original text.
/// </summary>
internal static class SchemaDialect
{
    private const string DefsPointer = "#/$defs/";
    private const string DefinitionsPointer = "#/definitions/";

    /// <summary>Returns <paramref name="schemaJson"/> with <c>$defs</c> moved to <c>definitions</c> and every reference rewritten.</summary>
    public static string ForNJsonSchema(string schemaJson)
    {
        if (!schemaJson.Contains("$defs", StringComparison.Ordinal))
        {
            return schemaJson;
        }

        var root = JsonNode.Parse(schemaJson, documentOptions: new JsonDocumentOptions { MaxDepth = RoutedTaskLimits.MaxSchemaDepth });
        if (root is not JsonObject schema)
        {
            return schemaJson;
        }

        if (schema["$defs"] is JsonObject defs)
        {
            schema.Remove("$defs");
            var definitions = schema["definitions"] as JsonObject ?? new JsonObject();
            foreach (var (name, definition) in defs.ToArray())
            {
                defs.Remove(name);
                definitions[name] = definition;
            }

            schema["definitions"] = definitions;
        }

        RewriteReferences(schema);
        return schema.ToJsonString();
    }

    private static void RewriteReferences(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target) &&
                    target.StartsWith(DefsPointer, StringComparison.Ordinal))
                {
                    obj["$ref"] = DefinitionsPointer + target[DefsPointer.Length..];
                }

                foreach (var (_, child) in obj)
                {
                    RewriteReferences(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RewriteReferences(child);
                }

                break;
        }
    }
}
