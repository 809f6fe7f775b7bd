#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// A small JSON Schema checker for eval rows: <c>type</c>, <c>enum</c>, <c>const</c>, <c>properties</c>,
    /// <c>required</c>, <c>additionalProperties: false</c>, <c>items</c>, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>, local
    /// <c>$ref</c>s, numeric and length bounds and <c>pattern</c>. Keywords it does not know are accepted, never guessed.
    /// </summary>
    internal static class JsonSchemaCheck
    {
        /// <summary>Returns <see langword="null"/> when <paramref name="value"/> satisfies <paramref name="schema"/>, else the first violation.</summary>
        public static string? Validate(JsonNode schema, JsonNode value, string path) => Validate(schema, schema, value, path, 0);

        private static string? Validate(JsonNode root, JsonNode schema, JsonNode value, string path, int depth)
        {
            if (depth > 64 || schema.Kind != JsonNodeKind.Object)
            {
                return schema.Kind == JsonNodeKind.False ? path + " is not allowed" : null;
            }

            if (schema.Get("$ref")?.Text is { } reference)
            {
                if (Resolve(root, reference) is { } target && Validate(root, target, value, path, depth + 1) is { } error)
                {
                    return error;
                }
            }

            if (schema.Get("type") is { } type)
            {
                var names = type.Kind == JsonNodeKind.Array ? type.Items.Select(t => t.Text) : new[] { type.Text };
                if (!names.Any(n => Matches(n, value)))
                {
                    return path + " must be " + string.Join(" or ", names) + ", not " + Describe(value);
                }
            }

            if (schema.Get("enum") is { Kind: JsonNodeKind.Array } values && !values.Items.Any(v => Same(v, value)))
            {
                return path + " must be one of " + string.Join(", ", values.Items.Select(Describe));
            }

            if (schema.Get("const") is { } constant && !Same(constant, value))
            {
                return path + " must be " + Describe(constant);
            }

            foreach (var keyword in new[] { "anyOf", "oneOf" })
            {
                if (schema.Get(keyword) is { Kind: JsonNodeKind.Array } options && options.Items.Count > 0 &&
                    !options.Items.Any(o => Validate(root, o, value, path, depth + 1) is null))
                {
                    return path + " matches none of the schema's alternatives";
                }
            }

            if (schema.Get("allOf") is { Kind: JsonNodeKind.Array } all)
            {
                foreach (var part in all.Items)
                {
                    if (Validate(root, part, value, path, depth + 1) is { } error)
                    {
                        return error;
                    }
                }
            }

            return value.Kind switch
            {
                JsonNodeKind.Object => ValidateObject(root, schema, value, path, depth),
                JsonNodeKind.Array => ValidateArray(root, schema, value, path, depth),
                JsonNodeKind.String => ValidateString(schema, value, path),
                JsonNodeKind.Number => ValidateNumber(schema, value, path),
                _ => null,
            };
        }

        private static string? ValidateObject(JsonNode root, JsonNode schema, JsonNode value, string path, int depth)
        {
            if (schema.Get("required") is { Kind: JsonNodeKind.Array } required)
            {
                foreach (var name in required.Items.Select(r => r.Text))
                {
                    if (name is not null && value.Get(name) is null)
                    {
                        return path + " is missing the required property '" + name + "'";
                    }
                }
            }

            var properties = schema.Get("properties");
            foreach (var property in value.Properties)
            {
                var propertySchema = properties?.Get(property.Key);
                if (propertySchema is null)
                {
                    if (schema.Get("additionalProperties") is { Kind: JsonNodeKind.False })
                    {
                        return path + " has the property '" + property.Key + "', which the schema does not allow";
                    }

                    propertySchema = schema.Get("additionalProperties");
                }

                if (propertySchema is not null && Validate(root, propertySchema, property.Value, path + "." + property.Key, depth + 1) is { } error)
                {
                    return error;
                }
            }

            return null;
        }

        private static string? ValidateArray(JsonNode root, JsonNode schema, JsonNode value, string path, int depth)
        {
            if (Bound(schema, "minItems") is { } min && value.Items.Count < min)
            {
                return path + " must have at least " + min + " items";
            }

            if (Bound(schema, "maxItems") is { } max && value.Items.Count > max)
            {
                return path + " must have at most " + max + " items";
            }

            if (schema.Get("items") is { } items)
            {
                for (var i = 0; i < value.Items.Count; i++)
                {
                    if (Validate(root, items, value.Items[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", depth + 1) is { } error)
                    {
                        return error;
                    }
                }
            }

            return null;
        }

        private static string? ValidateString(JsonNode schema, JsonNode value, string path)
        {
            var length = value.Text!.Length;
            if (Bound(schema, "minLength") is { } min && length < min)
            {
                return path + " must be at least " + min + " characters long";
            }

            if (Bound(schema, "maxLength") is { } max && length > max)
            {
                return path + " must be at most " + max + " characters long";
            }

            if (schema.Get("pattern")?.Text is { } pattern)
            {
                try
                {
                    if (!Regex.IsMatch(value.Text, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)))
                    {
                        return path + " does not match the pattern '" + pattern + "'";
                    }
                }
                catch (ArgumentException)
                {
                    // An invalid pattern is the schema's problem, not the row's.
                }
                catch (RegexMatchTimeoutException)
                {
                }
            }

            return null;
        }

        private static string? ValidateNumber(JsonNode schema, JsonNode value, string path)
        {
            if (!value.IsNumber(out var number))
            {
                return null;
            }

            if (Bound(schema, "minimum") is { } min && number < min)
            {
                return path + " must be at least " + min.ToString(CultureInfo.InvariantCulture);
            }

            if (Bound(schema, "maximum") is { } max && number > max)
            {
                return path + " must be at most " + max.ToString(CultureInfo.InvariantCulture);
            }

            return null;
        }

        private static double? Bound(JsonNode schema, string keyword) => schema.Get(keyword) is { } node && node.IsNumber(out var value) ? value : null;

        /// <summary>The node a local <c>$ref</c> (<c>#</c> or a <c>#/</c> JSON pointer) points at, or <see langword="null"/>.</summary>
        internal static JsonNode? Resolve(JsonNode root, string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                return null;
            }

            var node = root;
            foreach (var segment in reference.Substring(2).Split('/'))
            {
                var name = segment.Replace("~1", "/").Replace("~0", "~");
                node = node is { Kind: JsonNodeKind.Array } array
                    ? int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Items.Count ? array.Items[index] : null
                    : node?.Get(name);
            }

            return node;
        }

        private static bool Matches(string? type, JsonNode value) => type switch
        {
            "object" => value.Kind == JsonNodeKind.Object,
            "array" => value.Kind == JsonNodeKind.Array,
            "string" => value.Kind == JsonNodeKind.String,
            "number" => value.Kind == JsonNodeKind.Number,
            "integer" => value.IsNumber(out var n) && Math.Floor(n) == n && !double.IsInfinity(n),
            "boolean" => value.Kind is JsonNodeKind.True or JsonNodeKind.False,
            "null" => value.Kind == JsonNodeKind.Null,
            _ => true,
        };

        private static bool Same(JsonNode a, JsonNode b) =>
            a.Kind == b.Kind && (a.Kind switch
            {
                JsonNodeKind.String => a.Text == b.Text,
                JsonNodeKind.Number => a.IsNumber(out var x) && b.IsNumber(out var y) && x == y,
                JsonNodeKind.Object or JsonNodeKind.Array => false,
                _ => true,
            });

        private static string Describe(JsonNode node) => node.Kind switch
        {
            JsonNodeKind.String => "\"" + node.Text + "\"",
            JsonNodeKind.Number => node.Text!,
            JsonNodeKind.True => "true",
            JsonNodeKind.False => "false",
            JsonNodeKind.Null => "null",
            JsonNodeKind.Object => "an object",
            _ => "an array",
        };
    }
}
