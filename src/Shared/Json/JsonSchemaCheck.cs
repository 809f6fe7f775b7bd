#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text.RegularExpressions;

namespace RoutedPrompts.Shared
{
    /// <summary>What <see cref="JsonSchemaCheck"/> can say about a value.</summary>
    internal enum SchemaVerdict
    {
        /// <summary>The router's JSON gate accepts the value.</summary>
        Valid,

        /// <summary>The router's JSON gate rejects the value.</summary>
        Invalid,

        /// <summary>The schema uses something the build cannot decide exactly as the router does: no claim either way.</summary>
        NotChecked,
    }

    /// <summary>A <see cref="SchemaVerdict"/> with the first violation, or what could not be checked.</summary>
    internal readonly struct SchemaCheckResult
    {
        public static readonly SchemaCheckResult Valid = new SchemaCheckResult(SchemaVerdict.Valid, null);

        private SchemaCheckResult(SchemaVerdict verdict, string? message)
        {
            Verdict = verdict;
            Message = message;
        }

        public SchemaVerdict Verdict { get; }

        /// <summary>For <see cref="SchemaVerdict.Invalid"/> the violation, for <see cref="SchemaVerdict.NotChecked"/> what was not checked.</summary>
        public string? Message { get; }

        public static SchemaCheckResult Invalid(string message) => new SchemaCheckResult(SchemaVerdict.Invalid, message);

        public static SchemaCheckResult NotChecked(string message) => new SchemaCheckResult(SchemaVerdict.NotChecked, message);

        /// <summary>Both must hold: the first violation wins, then the first unchecked part.</summary>
        public SchemaCheckResult And(Func<SchemaCheckResult> next)
        {
            if (Verdict == SchemaVerdict.Invalid)
            {
                return this;
            }

            var other = next();
            return other.Verdict == SchemaVerdict.Invalid || Verdict == SchemaVerdict.Valid ? other : this;
        }
    }

    /// <summary>
    /// Decides at build time what the router's JSON gate (<c>AnswerGates</c>: unique property names, finite numbers, then
    /// NJsonSchema 11 validation) decides at run time, so an eval row RP0002 lets through is a row the gate accepts. It
    /// follows NJsonSchema's reading of a schema, not the JSON Schema specification where the two differ: a <c>$ref</c>
    /// replaces its sibling keywords, <c>integer</c> means a number written without fraction or exponent that fits a
    /// <see cref="long"/>, <c>enum</c> compares values by their .NET text, <c>const</c> and <c>if</c>/<c>then</c>/<c>else</c>
    /// are not validated, <c>maxItems: 0</c> means no limit, a <c>null</c> passes a schema NJsonSchema calls nullable, and
    /// <c>required</c> rejects a value that is not an object. What it cannot decide the same way (<c>not</c>,
    /// <c>multipleOf</c>, exclusive bounds, <c>uniqueItems</c>, property counts, <c>patternProperties</c>, tuple
    /// <c>items</c>, formats other than date-time, date, time and uuid, a pattern that runs too long) is
    /// <see cref="SchemaVerdict.NotChecked"/>: never claimed valid, never reported as an error.
    /// </summary>
    internal sealed class JsonSchemaCheck
    {
        private const int MaxDepth = 64;

        /// <summary>The string formats NJsonSchema validates by default; those not decided here are <see cref="SchemaVerdict.NotChecked"/>.</summary>
        private static readonly string[] RuntimeFormats = { "date-time", "date", "email", "guid", "hostname", "ipv4", "ipv6", "time", "time-span", "uri", "byte", "base64", "uuid" };

        /// <summary>NJsonSchema's <c>DateTimeFormatValidator</c> formats.</summary>
        private static readonly string[] DateTimeFormats =
        {
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd' 'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd' 'HH:mm:ssK",
            "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd' 'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd' 'HH:mm", "yyyy-MM-dd'T'HH",
            "yyyy-MM-dd' 'HH", "yyyy-MM-dd", "yyyy-MM-dd'Z'", "yyyyMMdd", "yyyy-MM", "yyyy",
        };

        private static readonly Regex DateTimePattern = new Regex(@"^((?:(\d{4}-\d{2}-\d{2})([Tt_]| )(\d{2}:\d{2}:\d{2}(?:\.\d+)?))([Zz]|[\+-]\d{2}:\d{2}))$", RegexOptions.None, TimeSpan.FromMilliseconds(250));

        /// <summary>A string Newtonsoft reads as a date when it loads a schema's <c>enum</c> (its text then depends on the culture).</summary>
        private static readonly Regex DateLike = new Regex(@"^\d{4}-\d{2}-\d{2}T", RegexOptions.None, TimeSpan.FromMilliseconds(250));

        private readonly JsonNode _root;

        private JsonSchemaCheck(JsonNode root) => _root = root;

        /// <summary>Returns <see langword="null"/> unless the router's JSON gate rejects <paramref name="value"/>; then the first violation.</summary>
        public static string? Validate(JsonNode schema, JsonNode value, string path) =>
            Check(schema, value, path) is { Verdict: SchemaVerdict.Invalid } result ? result.Message : null;

        /// <summary>What the router's JSON gate decides about <paramref name="value"/> under <paramref name="schema"/>, as far as the build can tell.</summary>
        public static SchemaCheckResult Check(JsonNode schema, JsonNode value, string path)
        {
            if (GateProblem(value, path) is { } problem)
            {
                return SchemaCheckResult.Invalid(problem);
            }

            var check = new JsonSchemaCheck(schema);
            return check.Actual(schema, 0) is { } actual ? check.Validate(actual, value, path, 0) : NotFollowed(path);
        }

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

        /// <summary>What the gate rejects before the schema: a repeated property name, a number beyond the range of a double.</summary>
        private static string? GateProblem(JsonNode value, string path)
        {
            switch (value.Kind)
            {
                case JsonNodeKind.Number:
                    return value.IsNumber(out var number) && !double.IsInfinity(number) ? null : path + " is beyond the range of a double";
                case JsonNodeKind.Object:
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in value.Properties)
                    {
                        if (!names.Add(property.Key))
                        {
                            return path + " repeats the property '" + property.Key + "'";
                        }

                        if (GateProblem(property.Value, path + "." + property.Key) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                case JsonNodeKind.Array:
                    for (var i = 0; i < value.Items.Count; i++)
                    {
                        if (GateProblem(value.Items[i], Item(path, i)) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        /// <summary>
        /// The schema NJsonSchema validates in place of <paramref name="schema"/> (its <c>ActualSchema</c>): a <c>$ref</c>'s
        /// target, or the target of a lone <c>allOf</c>/<c>oneOf</c>/<c>anyOf</c> reference; <see langword="null"/> when
        /// it cannot be followed (a boolean schema, a reference out of the file or in a loop).
        /// </summary>
        private JsonNode? Actual(JsonNode schema, int depth)
        {
            while (depth++ <= MaxDepth)
            {
                if (schema.Kind != JsonNodeKind.Object)
                {
                    return null;
                }

                JsonNode? next;
                if (LoneReference(schema, depth) is { } lone)
                {
                    next = lone;
                }
                else if (schema.Get("$ref") is { } reference)
                {
                    next = reference.Kind == JsonNodeKind.String ? Resolve(_root, reference.Text!) : null;
                }
                else
                {
                    return schema;
                }

                if (next is null)
                {
                    return null;
                }

                schema = next;
            }

            return null;
        }

        /// <summary>The one <c>allOf</c>, <c>oneOf</c> or <c>anyOf</c> entry NJsonSchema treats as the whole schema (<c>Has…SchemaReference</c>).</summary>
        private JsonNode? LoneReference(JsonNode schema, int depth)
        {
            if (schema.Get("type") is not null || schema.Get("multipleOf") is not null || Count(schema, "properties") > 0 ||
                Count(schema, "patternProperties") > 0 || Count(schema, "enum") > 0 || schema.Get("additionalProperties") is { Kind: JsonNodeKind.Object })
            {
                return null;
            }

            var combinators = new[] { "allOf", "oneOf", "anyOf" };
            var used = combinators.Where(k => Count(schema, k) > 0).ToList();
            return used.Count == 1 && schema.Get(used[0])!.Items is { Count: 1 } items && HasReference(items[0], depth + 1) ? items[0] : null;
        }

        private bool HasReference(JsonNode schema, int depth) =>
            depth <= MaxDepth && schema.Kind == JsonNodeKind.Object && (schema.Get("$ref") is not null || LoneReference(schema, depth) is not null);

        private static int Count(JsonNode schema, string keyword) => schema.Get(keyword) is { } node ? node.Properties.Count + node.Items.Count : 0;

        private static SchemaCheckResult NotFollowed(string path) =>
            SchemaCheckResult.NotChecked(path + ": the schema has a '$ref' or boolean schema the build does not follow");

        /// <summary>NJsonSchema's <c>Validate(token, schema)</c> for an actual schema.</summary>
        private SchemaCheckResult Validate(JsonNode schema, JsonNode value, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                return SchemaCheckResult.NotChecked(path + " is nested deeper than the build checks");
            }

            // NJsonSchema skips the type and enum of a null it calls nullable.
            var nullable = value.Kind == JsonNodeKind.Null ? IsNullable(schema, 0) : false;
            var typeAndEnum = nullable switch
            {
                true => SchemaCheckResult.Valid,
                null => SchemaCheckResult.NotChecked(path + ": whether the schema allows null depends on an 'allOf' the build does not resolve"),
                _ => CheckType(schema, value, path).And(() => CheckEnum(schema, value, path)),
            };

            return typeAndEnum
                .And(() => CheckCombinators(schema, value, path, depth))
                .And(() => Unsupported(schema, value, path))
                .And(() => CheckProperties(schema, value, path, depth))
                .And(() => value.Kind switch
                {
                    JsonNodeKind.Array => CheckArray(schema, value, path, depth),
                    JsonNodeKind.String => CheckString(schema, value, path),
                    JsonNodeKind.Number => CheckNumber(schema, value, path),
                    _ => SchemaCheckResult.Valid,
                });
        }

        private SchemaCheckResult Branch(JsonNode schema, JsonNode value, string path, int depth) =>
            Actual(schema, 0) is { } actual ? Validate(actual, value, path, depth + 1) : NotFollowed(path);

        private static SchemaCheckResult CheckType(JsonNode schema, JsonNode value, string path)
        {
            if (schema.Get("type") is not { } type)
            {
                return SchemaCheckResult.Valid;
            }

            var names = type.Kind == JsonNodeKind.Array ? type.Items.Select(t => t.Text).ToList() : new List<string?> { type.Text };
            if (names.Count == 0 || names.Any(n => n is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null")))
            {
                return SchemaCheckResult.NotChecked(path + ": the schema's 'type' is not one the build knows");
            }

            return names.Any(n => Matches(n!, value))
                ? SchemaCheckResult.Valid
                : SchemaCheckResult.Invalid(path + " must be " + string.Join(" or ", names) + ", not " + Describe(value));
        }

        private static bool Matches(string type, JsonNode value) => type switch
        {
            "object" => value.Kind == JsonNodeKind.Object,
            "array" => value.Kind == JsonNodeKind.Array,
            "string" => value.Kind == JsonNodeKind.String,
            "number" => value.Kind == JsonNodeKind.Number,
            "integer" => IsIntegerToken(value),
            "boolean" => value.Kind is JsonNodeKind.True or JsonNodeKind.False,
            _ => value.Kind == JsonNodeKind.Null,
        };

        /// <summary>Whether Newtonsoft reads the number as an integer token: no fraction or exponent, within <see cref="long"/>.</summary>
        private static bool IsIntegerToken(JsonNode value) =>
            value.Kind == JsonNodeKind.Number && value.Text!.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 &&
            long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

        /// <summary>NJsonSchema compares <c>enum</c> members by their .NET text (<c>ToString()</c>), so <c>1</c> and <c>1.0</c> are one value.</summary>
        private static SchemaCheckResult CheckEnum(JsonNode schema, JsonNode value, string path)
        {
            if (schema.Get("enum") is not { Kind: JsonNodeKind.Array } values || values.Items.Count == 0)
            {
                return SchemaCheckResult.Valid;
            }

            // An object or array compares as indented JSON text: equal only to such a member, or a string that looks like one.
            var container = value.Kind is JsonNodeKind.Object or JsonNodeKind.Array;
            if (values.Items.Any(v => v.Kind is JsonNodeKind.Object or JsonNodeKind.Array ||
                    (v.Kind == JsonNodeKind.String && (DateLike.IsMatch(v.Text!) || (container && v.Text!.TrimStart().IndexOfAny(new[] { '{', '[' }) == 0)))))
            {
                return SchemaCheckResult.NotChecked(path + ": the schema's 'enum' has members the build does not compare");
            }

            var text = container ? null : DotNetText(value, token: true);
            return values.Items.Any(v => v.Kind != JsonNodeKind.Null && DotNetText(v, token: false) == text)
                ? SchemaCheckResult.Valid
                : SchemaCheckResult.Invalid(path + " must be one of " + string.Join(", ", values.Items.Select(Describe)));
        }

        /// <summary>The text NJsonSchema compares: of the answer's token (<paramref name="token"/>) or of a member as Newtonsoft loaded it.</summary>
        private static string DotNetText(JsonNode node, bool token)
        {
            switch (node.Kind)
            {
                case JsonNodeKind.String:
                    return node.Text!;
                case JsonNodeKind.True:
                    return bool.TrueString;
                case JsonNodeKind.False:
                    return bool.FalseString;
                case JsonNodeKind.Number:
                    if (IsIntegerToken(node))
                    {
                        return long.Parse(node.Text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                    }

                    // A schema keeps an integer beyond long as a BigInteger; the gate widens an answer's to a double.
                    return !token && node.Text!.IndexOfAny(new[] { '.', 'e', 'E' }) < 0
                        ? BigInteger.Parse(node.Text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                        : double.Parse(node.Text!, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
                default:
                    return string.Empty;
            }
        }

        private SchemaCheckResult CheckCombinators(JsonNode schema, JsonNode value, string path, int depth)
        {
            var result = SchemaCheckResult.Valid;
            if (schema.Get("anyOf") is { Kind: JsonNodeKind.Array } any && any.Items.Count > 0)
            {
                var outcomes = any.Items.Select(o => Branch(o, value, path, depth)).ToList();
                result = outcomes.Any(o => o.Verdict == SchemaVerdict.Valid) ? SchemaCheckResult.Valid
                    : outcomes.FirstOrDefault(o => o.Verdict == SchemaVerdict.NotChecked) is { Message: not null } unknown ? unknown
                    : SchemaCheckResult.Invalid(path + " matches none of the schema's alternatives ('anyOf')");
            }

            if (schema.Get("allOf") is { Kind: JsonNodeKind.Array } all)
            {
                foreach (var part in all.Items)
                {
                    result = result.And(() => Branch(part, value, path, depth));
                }
            }

            if (schema.Get("oneOf") is { Kind: JsonNodeKind.Array } one && one.Items.Count > 0)
            {
                result = result.And(() =>
                {
                    var outcomes = one.Items.Select(o => Branch(o, value, path, depth)).ToList();
                    var valid = outcomes.Count(o => o.Verdict == SchemaVerdict.Valid);
                    var unknown = outcomes.FirstOrDefault(o => o.Verdict == SchemaVerdict.NotChecked);
                    return valid > 1 ? SchemaCheckResult.Invalid(path + " matches " + valid + " of the schema's 'oneOf' alternatives; it must match exactly one")
                        : unknown.Message is not null ? unknown
                        : valid == 1 ? SchemaCheckResult.Valid
                        : SchemaCheckResult.Invalid(path + " matches none of the schema's alternatives ('oneOf')");
                });
            }

            return result;
        }

        /// <summary>Keywords NJsonSchema validates for this kind of value that the build does not.</summary>
        private static SchemaCheckResult Unsupported(JsonNode schema, JsonNode value, string path)
        {
            var keyword = schema.Get("not") is not null ? "not" : value.Kind switch
            {
                JsonNodeKind.Number => new[] { "multipleOf", "exclusiveMinimum", "exclusiveMaximum" }.FirstOrDefault(k => schema.Get(k) is { Kind: not JsonNodeKind.False }),
                JsonNodeKind.Array => schema.Get("uniqueItems") is { Kind: JsonNodeKind.True } ? "uniqueItems"
                    : schema.Get("items") is { Kind: not JsonNodeKind.Object } ? "items" : null,
                JsonNodeKind.Object => Limit(schema, "minProperties") > 0 ? "minProperties"
                    : Limit(schema, "maxProperties") > 0 ? "maxProperties"
                    : Count(schema, "patternProperties") > 0 ? "patternProperties" : null,
                _ => null,
            };

            return keyword is null ? SchemaCheckResult.Valid : SchemaCheckResult.NotChecked(path + ": the build does not check '" + keyword + "' as the router does");
        }

        /// <summary>NJsonSchema's <c>ValidateProperties</c>: properties, <c>required</c> (also of a value that is not an object) and <c>additionalProperties</c>.</summary>
        private SchemaCheckResult CheckProperties(JsonNode schema, JsonNode value, string path, int depth)
        {
            var isObject = value.Kind == JsonNodeKind.Object;
            if (!isObject && TypeAllowsNull(schema))
            {
                return SchemaCheckResult.Valid;
            }

            var required = new List<string>();
            if (schema.Get("required") is { } requiredNode)
            {
                if (requiredNode.Kind != JsonNodeKind.Array || requiredNode.Items.Any(r => r.Kind != JsonNodeKind.String))
                {
                    return SchemaCheckResult.NotChecked(path + ": the schema's 'required' is not a list of names");
                }

                required.AddRange(requiredNode.Items.Select(r => r.Text!));
            }

            var properties = schema.Get("properties") is { Kind: JsonNodeKind.Object } node ? node.Properties : new List<KeyValuePair<string, JsonNode>>();
            if (required.FirstOrDefault(r => !isObject || value.Get(r) is null) is { } name)
            {
                return SchemaCheckResult.Invalid(isObject ? path + " is missing the required property '" + name + "'" : path + " must be an object with the required property '" + name + "', not " + Describe(value));
            }

            if (!isObject)
            {
                return SchemaCheckResult.Valid;
            }

            var result = SchemaCheckResult.Valid;

            foreach (var property in properties)
            {
                if (value.Get(property.Key) is not { } propertyValue)
                {
                    continue;
                }

                var propertyPath = path + "." + property.Key;
                result = result.And(() =>
                {
                    var nullable = propertyValue.Kind == JsonNodeKind.Null ? IsNullable(property.Value, 0) : false;
                    return nullable == true ? SchemaCheckResult.Valid
                        : nullable is null ? SchemaCheckResult.NotChecked(propertyPath + ": whether the schema allows null depends on an 'allOf' the build does not resolve")
                        : Branch(property.Value, propertyValue, propertyPath, depth);
                });
            }

            var additional = schema.Get("additionalProperties");
            foreach (var property in value.Properties.Where(p => !properties.Any(d => d.Key == p.Key)))
            {
                var propertyPath = path + "." + property.Key;
                result = result.And(() => additional?.Kind switch
                {
                    null or JsonNodeKind.True => SchemaCheckResult.Valid,
                    JsonNodeKind.False => SchemaCheckResult.Invalid(path + " has the property '" + property.Key + "', which the schema does not allow"),
                    JsonNodeKind.Object => Branch(additional, property.Value, propertyPath, depth),
                    _ => SchemaCheckResult.NotChecked(path + ": the schema's 'additionalProperties' is not a schema"),
                });
            }

            return result;
        }

        private SchemaCheckResult CheckArray(JsonNode schema, JsonNode value, string path, int depth)
        {
            // NJsonSchema reads 0 as "no limit" for both bounds.
            if (Limit(schema, "minItems") is { } min && min > 0 && value.Items.Count < min)
            {
                return SchemaCheckResult.Invalid(path + " must have at least " + min + " items");
            }

            if (Limit(schema, "maxItems") is { } max && max > 0 && value.Items.Count > max)
            {
                return SchemaCheckResult.Invalid(path + " must have at most " + max + " items");
            }

            var result = SchemaCheckResult.Valid;
            if (schema.Get("items") is { Kind: JsonNodeKind.Object } items)
            {
                for (var i = 0; i < value.Items.Count; i++)
                {
                    var index = i;
                    result = result.And(() => Branch(items, value.Items[index], Item(path, index), depth));
                }
            }

            return result;
        }

        private static SchemaCheckResult CheckString(JsonNode schema, JsonNode value, string path)
        {
            var text = value.Text!;
            if (schema.Get("pattern")?.Text is { Length: > 0 } pattern)
            {
                try
                {
                    if (!Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    {
                        return SchemaCheckResult.Invalid(path + " does not match the pattern '" + pattern + "'");
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    return SchemaCheckResult.NotChecked(path + ": matching the pattern '" + pattern + "' takes too long to check at build time");
                }
                catch (ArgumentException)
                {
                    return SchemaCheckResult.Invalid(path + " cannot match the pattern '" + pattern + "', which is not a .NET regular expression (the router rejects every string it applies to)");
                }
            }

            if (Limit(schema, "minLength") is { } min && text.Length < min)
            {
                return SchemaCheckResult.Invalid(path + " must be at least " + min + " characters long");
            }

            if (Limit(schema, "maxLength") is { } max && text.Length > max)
            {
                return SchemaCheckResult.Invalid(path + " must be at most " + max + " characters long");
            }

            if (schema.Get("format")?.Text is not { } format || Array.IndexOf(RuntimeFormats, format) < 0)
            {
                return SchemaCheckResult.Valid;
            }

            bool? valid = format switch
            {
                "date-time" => DateTimeOffset.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) || DateTimePattern.IsMatch(text),
                "date" => DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Date == date,
                "time" => DateTime.TryParseExact(text, "HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                "uuid" or "guid" => Guid.TryParse(text, out _),

                // Whether a path such as "/a" is an absolute URI depends on the operating system the router runs on.
                "uri" => Uri.TryCreate(text, UriKind.Absolute, out var uri) && text.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase) ? true : null,
                _ => null,
            };

            return valid switch
            {
                true => SchemaCheckResult.Valid,
                false => SchemaCheckResult.Invalid(path + " is not a valid '" + format + "'"),
                _ => SchemaCheckResult.NotChecked(path + ": the build does not check the format '" + format + "' as the router does"),
            };
        }

        /// <summary>NJsonSchema compares numbers as decimals (a double rounded to 15 digits), or as doubles beyond the decimal range.</summary>
        private static SchemaCheckResult CheckNumber(JsonNode schema, JsonNode value, string path)
        {
            foreach (var keyword in new[] { "minimum", "maximum" })
            {
                if (schema.Get(keyword) is not { } bound)
                {
                    continue;
                }

                if (!decimal.TryParse(bound.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit))
                {
                    return SchemaCheckResult.NotChecked(path + ": the schema's '" + keyword + "' is not a number the build compares");
                }

                var compared = Compare(value, limit);
                if (keyword == "minimum" ? compared < 0 : compared > 0)
                {
                    return SchemaCheckResult.Invalid(path + " must be at " + (keyword == "minimum" ? "least " : "most ") + bound.Text);
                }
            }

            return SchemaCheckResult.Valid;
        }

        private static int Compare(JsonNode value, decimal limit)
        {
            if (IsIntegerToken(value))
            {
                return ((decimal)long.Parse(value.Text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).CompareTo(limit);
            }

            var number = double.Parse(value.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
            try
            {
                return ((decimal)number).CompareTo(limit);
            }
            catch (OverflowException)
            {
                return number.CompareTo((double)limit);
            }
        }

        private static int? Limit(JsonNode schema, string keyword) =>
            schema.Get(keyword) is { } node && node.IsNumber(out var value) && value >= 0 && value <= int.MaxValue ? (int)value : null;

        private static bool TypeAllowsNull(JsonNode schema) =>
            schema.Get("type") is { } type && (type.Text == "null" || type.Items.Any(t => t.Text == "null"));

        /// <summary>
        /// NJsonSchema's <c>IsNullable</c>: <c>x-nullable</c> or <c>nullable</c>, a <c>null</c> member of <c>enum</c>, a
        /// <c>null</c> type, a nullable <c>oneOf</c> entry of an untyped schema, or a nullable referenced schema;
        /// <see langword="null"/> when it hinges on an <c>allOf</c> of several entries.
        /// </summary>
        private bool? IsNullable(JsonNode schema, int depth)
        {
            if (depth > MaxDepth || schema.Kind != JsonNodeKind.Object)
            {
                return null;
            }

            var reference = schema.Get("$ref") is { Kind: JsonNodeKind.String } r ? Resolve(_root, r.Text!) : null;
            if (schema.Get("x-nullable") is { Kind: JsonNodeKind.True } ||
                schema.Get("enum") is { } values && values.Items.Any(v => v.Kind == JsonNodeKind.Null) ||
                (reference is null && TypeAllowsNull(schema)))
            {
                return true;
            }

            bool? unknown = false;
            if (reference is not null || schema.Get("type") is null || TypeAllowsNull(schema))
            {
                foreach (var option in schema.Get("oneOf")?.Items ?? Array.Empty<JsonNode>())
                {
                    var nullable = IsNullable(option, depth + 1);
                    if (nullable == true)
                    {
                        return true;
                    }

                    unknown = nullable is null ? null : unknown;
                }
            }

            if (Actual(schema, 0) is { } actual && !ReferenceEquals(actual, schema))
            {
                var nullable = IsNullable(actual, depth + 1);
                if (nullable == true)
                {
                    return true;
                }

                unknown = nullable is null ? null : unknown;
            }

            // ActualTypeSchema: the one unreferenced entry of an allOf of several (NJsonSchema also skips dictionaries).
            var typeSchema = reference ?? schema;
            if (typeSchema.Get("allOf") is { Kind: JsonNodeKind.Array } all && all.Items.Count > 1 &&
                all.Items.Any(a => !HasReference(a, 0) && IsNullable(a, depth + 1) != false))
            {
                return null;
            }

            // The OpenAPI flag, which NJsonSchema reads from a JSON Schema's extension data.
            var flag = schema.Get("nullable");
            return flag?.Kind == JsonNodeKind.True || (flag?.Kind == JsonNodeKind.String && bool.TryParse(flag.Text, out var isNullable) && isNullable) ? true : unknown;
        }

        private static string Item(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

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
