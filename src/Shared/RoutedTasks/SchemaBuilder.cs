using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// Writes the JSON Schema (Draft 2020-12, within what OpenAI structured outputs accept) of a result type, as compact
    /// deterministic text. Object types are inlined; only recursive types go to <c>$defs</c> (the root refers to itself
    /// with <c>#</c>).
    /// </summary>
    internal sealed class SchemaBuilder
    {
        private readonly Dictionary<string, JsonTypeDef> _definitions;
        private readonly string _rootKey;
        private readonly HashSet<string> _recursive;
        private readonly Dictionary<string, string> _defNames = new(StringComparer.Ordinal);
        private readonly StringBuilder _json = new();

        private SchemaBuilder(string rootKey, IEnumerable<JsonTypeDef> definitions)
        {
            _rootKey = rootKey;
            _definitions = definitions.ToDictionary(d => d.Key, StringComparer.Ordinal);
            _recursive = new HashSet<string>(_definitions.Keys.Where(IsRecursive), StringComparer.Ordinal);
            foreach (var key in _recursive.Where(k => k != rootKey).OrderBy(k => k, StringComparer.Ordinal))
            {
                var name = _definitions[key].SchemaName;
                var unique = name;
                for (var i = 2; _defNames.ContainsValue(unique); i++)
                {
                    unique = name + i.ToString(CultureInfo.InvariantCulture);
                }

                _defNames[key] = unique;
            }
        }

        public static string Build(string rootKey, IEnumerable<JsonTypeDef> definitions)
        {
            var builder = new SchemaBuilder(rootKey, definitions);
            builder.WriteObject(builder._definitions[rootKey], nullable: false, null, includeDefs: true);
            return builder._json.ToString();
        }

        private bool IsRecursive(string key)
        {
            var visited = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>(References(_definitions[key]));
            while (pending.Count > 0)
            {
                var next = pending.Pop();
                if (next == key)
                {
                    return true;
                }

                if (visited.Add(next) && _definitions.TryGetValue(next, out var def))
                {
                    foreach (var reference in References(def))
                    {
                        pending.Push(reference);
                    }
                }
            }

            return false;
        }

        private static IEnumerable<string> References(JsonTypeDef def)
        {
            foreach (var property in def.Properties)
            {
                for (var type = property.Type; type is not null; type = type.Element)
                {
                    if (type.DefinitionKey is not null)
                    {
                        yield return type.DefinitionKey;
                    }
                }
            }
        }

        private void WriteObject(JsonTypeDef def, bool nullable, JsonConstraints? constraints, bool includeDefs)
        {
            _json.Append('{');
            WriteTypeKeyword("object", nullable);
            WriteDescription(constraints?.Description ?? def.Description);
            _json.Append(",\"properties\":{");
            var first = true;
            foreach (var property in def.Properties)
            {
                if (!first)
                {
                    _json.Append(',');
                }

                first = false;
                WriteString(property.JsonName);
                _json.Append(':');
                WriteType(property.Type, property.Constraints);
            }

            _json.Append("},\"required\":[");
            _json.Append(string.Join(",", def.Properties.Where(p => p.Required).Select(p => Quote(p.JsonName))));
            _json.Append("],\"additionalProperties\":false");
            if (includeDefs && _defNames.Count > 0)
            {
                _json.Append(",\"$defs\":{");
                var firstDef = true;
                foreach (var pair in _defNames.OrderBy(p => p.Value, StringComparer.Ordinal))
                {
                    if (!firstDef)
                    {
                        _json.Append(',');
                    }

                    firstDef = false;
                    WriteString(pair.Value);
                    _json.Append(':');
                    WriteObject(_definitions[pair.Key], nullable: false, null, includeDefs: false);
                }

                _json.Append('}');
            }

            _json.Append('}');
        }

        private void WriteType(JsonTypeRef type, JsonConstraints? constraints)
        {
            if (type.Kind == JsonKind.Object && type.DefinitionKey is { } key && _definitions.TryGetValue(key, out var def))
            {
                if (!_recursive.Contains(key))
                {
                    WriteObject(def, type.IsNullable, constraints, includeDefs: false);
                    return;
                }

                var target = key == _rootKey ? "#" : "#/$defs/" + _defNames[key];
                _json.Append('{');
                if (type.IsNullable)
                {
                    _json.Append("\"anyOf\":[{\"$ref\":").Append(Quote(target)).Append("},{\"type\":\"null\"}]");
                }
                else
                {
                    _json.Append("\"$ref\":").Append(Quote(target));
                }

                WriteDescription(constraints?.Description);
                _json.Append('}');
                return;
            }

            _json.Append('{');
            switch (type.Kind)
            {
                case JsonKind.Boolean:
                    WriteTypeKeyword("boolean", type.IsNullable);
                    break;
                case JsonKind.Integer:
                    WriteTypeKeyword("integer", type.IsNullable);
                    break;
                case JsonKind.Number:
                    WriteTypeKeyword("number", type.IsNullable);
                    break;
                case JsonKind.Array:
                    WriteTypeKeyword("array", type.IsNullable);
                    _json.Append(",\"items\":");
                    WriteType(type.Element!, null);
                    break;
                case JsonKind.Dictionary:
                    WriteTypeKeyword("object", type.IsNullable);
                    _json.Append(",\"additionalProperties\":");
                    WriteType(type.Element!, null);
                    break;
                case JsonKind.Enum:
                    WriteTypeKeyword("string", type.IsNullable);
                    var members = _definitions.TryGetValue(type.DefinitionKey!, out var enumDef) ? enumDef.EnumMembers.Select(Quote) : Enumerable.Empty<string>();
                    _json.Append(",\"enum\":[").Append(string.Join(",", type.IsNullable ? members.Concat(new[] { "null" }) : members)).Append(']');
                    if (constraints?.Description is null && enumDef?.Description is { } enumDescription)
                    {
                        WriteDescription(enumDescription);
                    }

                    break;
                default:
                    WriteTypeKeyword("string", type.IsNullable);
                    var format = type.Kind switch
                    {
                        JsonKind.DateTime or JsonKind.DateTimeOffset => "date-time",
                        JsonKind.DateOnly => "date",
                        JsonKind.TimeOnly => "time",
                        JsonKind.Guid => "uuid",
                        JsonKind.Uri => "uri",
                        _ => null,
                    };
                    if (format is not null)
                    {
                        _json.Append(",\"format\":").Append(Quote(format));
                    }

                    break;
            }

            if (constraints is not null)
            {
                WriteDescription(constraints.Description);
                WriteNumber("minimum", constraints.Minimum);
                WriteNumber("maximum", constraints.Maximum);
                var isArray = type.Kind == JsonKind.Array;
                WriteNumber(isArray ? "minItems" : "minLength", constraints.MinLength?.ToString(CultureInfo.InvariantCulture));
                WriteNumber(isArray ? "maxItems" : "maxLength", constraints.MaxLength?.ToString(CultureInfo.InvariantCulture));
                if (constraints.Pattern is not null)
                {
                    _json.Append(",\"pattern\":").Append(Quote(constraints.Pattern));
                }
            }

            _json.Append('}');
        }

        private void WriteTypeKeyword(string name, bool nullable) =>
            _json.Append("\"type\":").Append(nullable ? "[" + Quote(name) + ",\"null\"]" : Quote(name));

        private void WriteDescription(string? description)
        {
            if (description is not null)
            {
                _json.Append(",\"description\":").Append(Quote(description));
            }
        }

        private void WriteNumber(string name, string? value)
        {
            if (value is not null)
            {
                _json.Append(",\"").Append(name).Append("\":").Append(value);
            }
        }

        private void WriteString(string value) => _json.Append(Quote(value));

        /// <summary>A JSON string literal.</summary>
        internal static string Quote(string value)
        {
            var builder = new StringBuilder(value.Length + 2).Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < ' ')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.Append('"').ToString();
        }
    }
}
