#nullable enable
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>The kind of a <see cref="JsonNode"/>.</summary>
    internal enum JsonNodeKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>A JSON value with its position (offsets into the parsed text), for diagnostics at a line and column.</summary>
    internal sealed class JsonNode
    {
        private static readonly IReadOnlyList<KeyValuePair<string, JsonNode>> NoProperties = new KeyValuePair<string, JsonNode>[0];
        private static readonly IReadOnlyList<JsonNode> NoItems = new JsonNode[0];

        public JsonNode(JsonNodeKind kind, int start, int end, string? text = null, IReadOnlyList<KeyValuePair<string, JsonNode>>? properties = null, IReadOnlyList<JsonNode>? items = null)
        {
            Kind = kind;
            Start = start;
            End = end;
            Text = text;
            Properties = properties ?? NoProperties;
            Items = items ?? NoItems;
        }

        public JsonNodeKind Kind { get; }

        /// <summary>Offset of the value's first character.</summary>
        public int Start { get; }

        /// <summary>Offset just after the value's last character.</summary>
        public int End { get; }

        /// <summary>A string's decoded value, or a number's text as written.</summary>
        public string? Text { get; }

        /// <summary>An object's members, in document order.</summary>
        public IReadOnlyList<KeyValuePair<string, JsonNode>> Properties { get; }

        /// <summary>An array's elements.</summary>
        public IReadOnlyList<JsonNode> Items { get; }

        public bool IsNumber(out double value)
        {
            value = 0;
            return Kind == JsonNodeKind.Number && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        /// <summary>An object's member by name (first match), compared case-insensitively when asked (configuration binder style).</summary>
        public JsonNode? Get(string name, bool ignoreCase = false)
        {
            foreach (var property in Properties)
            {
                if (string.Equals(property.Key, name, ignoreCase ? System.StringComparison.OrdinalIgnoreCase : System.StringComparison.Ordinal))
                {
                    return property.Value;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Reads one well-formed JSON value (RFC 8259) into <see cref="JsonNode"/>s with positions, without a JSON library
    /// (the generator and analyzers cannot take package dependencies).
    /// </summary>
    internal sealed class JsonSyntaxChecker
    {
        private const int MaxDepth = 256;
        private readonly string text;
        private int position;

        private JsonSyntaxChecker(string text) => this.text = text;

        /// <summary>Parses <paramref name="text"/>; returns <see langword="null"/> and the document, or the error and where.</summary>
        public static string? Parse(string text, out JsonNode? document, out int errorPosition)
        {
            var checker = new JsonSyntaxChecker(text);
            var error = checker.Run(out document);
            errorPosition = checker.position;
            if (error is not null)
            {
                document = null;
            }

            return error;
        }

        private string? Run(out JsonNode? document)
        {
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                position = 1;
            }

            SkipWhitespace();
            var error = Value(0, out document);
            if (error is not null)
            {
                return error;
            }

            SkipWhitespace();
            return position < text.Length ? "unexpected text after the JSON value" : null;
        }

        private string? Value(int depth, out JsonNode? node)
        {
            node = null;
            if (depth > MaxDepth)
            {
                return "the document is nested too deeply";
            }

            if (position >= text.Length)
            {
                return "unexpected end of the document";
            }

            var start = position;
            string? error;
            switch (text[position])
            {
                case '{':
                    return Object(depth, out node);
                case '[':
                    return Array(depth, out node);
                case '"':
                    error = String(out var value);
                    node = new JsonNode(JsonNodeKind.String, start, position, value);
                    return error;
                case 't':
                    error = Word("true");
                    node = new JsonNode(JsonNodeKind.True, start, position);
                    return error;
                case 'f':
                    error = Word("false");
                    node = new JsonNode(JsonNodeKind.False, start, position);
                    return error;
                case 'n':
                    error = Word("null");
                    node = new JsonNode(JsonNodeKind.Null, start, position);
                    return error;
                default:
                    error = Number();
                    node = new JsonNode(JsonNodeKind.Number, start, position, text.Substring(start, position - start));
                    return error;
            }
        }

        private string? Object(int depth, out JsonNode? node)
        {
            var start = position;
            var properties = new List<KeyValuePair<string, JsonNode>>();
            var error = Container('}', () =>
            {
                if (position >= text.Length || text[position] != '"')
                {
                    return "expected a property name";
                }

                var nameError = String(out var name);
                if (nameError is not null)
                {
                    return nameError;
                }

                SkipWhitespace();
                if (position >= text.Length || text[position] != ':')
                {
                    return "expected ':'";
                }

                position++;
                SkipWhitespace();
                var valueError = Value(depth + 1, out var value);
                if (valueError is null)
                {
                    properties.Add(new KeyValuePair<string, JsonNode>(name, value!));
                }

                return valueError;
            });
            node = new JsonNode(JsonNodeKind.Object, start, position, properties: properties);
            return error;
        }

        private string? Array(int depth, out JsonNode? node)
        {
            var start = position;
            var items = new List<JsonNode>();
            var error = Container(']', () =>
            {
                var itemError = Value(depth + 1, out var item);
                if (itemError is null)
                {
                    items.Add(item!);
                }

                return itemError;
            });
            node = new JsonNode(JsonNodeKind.Array, start, position, items: items);
            return error;
        }

        private string? Container(char close, System.Func<string?> element)
        {
            position++;
            SkipWhitespace();
            if (position < text.Length && text[position] == close)
            {
                position++;
                return null;
            }

            while (true)
            {
                SkipWhitespace();
                var error = element();
                if (error is not null)
                {
                    return error;
                }

                SkipWhitespace();
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < text.Length && text[position] == close)
                {
                    position++;
                    return null;
                }

                return "expected ',' or '" + close + "'";
            }
        }

        private string? String(out string value)
        {
            var builder = new StringBuilder();
            value = string.Empty;
            position++;
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '"')
                {
                    position++;
                    value = builder.ToString();
                    return null;
                }

                if (c < ' ')
                {
                    return "control character in a string";
                }

                if (c == '\\')
                {
                    position++;
                    if (position >= text.Length)
                    {
                        break;
                    }

                    var e = text[position];
                    if (e == 'u')
                    {
                        if (position + 4 >= text.Length ||
                            !int.TryParse(text.Substring(position + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            return "invalid \\u escape";
                        }

                        builder.Append((char)code);
                        position += 4;
                    }
                    else if ("\"\\/bfnrt".IndexOf(e) < 0)
                    {
                        return "invalid escape";
                    }
                    else
                    {
                        builder.Append(e switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => e });
                    }
                }
                else
                {
                    builder.Append(c);
                }

                position++;
            }

            return "unterminated string";
        }

        private string? Word(string word)
        {
            if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0)
            {
                return "unexpected character '" + text[position] + "'";
            }

            position += word.Length;
            return null;
        }

        private string? Number()
        {
            var start = position;
            if (position < text.Length && text[position] == '-')
            {
                position++;
            }

            if (!Digits())
            {
                position = start;
                return "unexpected character '" + text[position] + "'";
            }

            if (position < text.Length && text[position] == '.')
            {
                position++;
                if (!Digits())
                {
                    return "invalid number";
                }
            }

            if (position < text.Length && (text[position] == 'e' || text[position] == 'E'))
            {
                position++;
                if (position < text.Length && (text[position] == '+' || text[position] == '-'))
                {
                    position++;
                }

                if (!Digits())
                {
                    return "invalid number";
                }
            }

            return null;
        }

        private bool Digits()
        {
            var start = position;
            while (position < text.Length && text[position] >= '0' && text[position] <= '9')
            {
                position++;
            }

            return position > start;
        }

        private void SkipWhitespace()
        {
            while (position < text.Length && (text[position] == ' ' || text[position] == '\t' || text[position] == '\n' || text[position] == '\r'))
            {
                position++;
            }
        }
    }
}
