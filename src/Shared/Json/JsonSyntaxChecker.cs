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

        private static readonly IReadOnlyList<int> NoNameStarts = new int[0];

        public JsonNode(JsonNodeKind kind, int start, int end, string? text = null, IReadOnlyList<KeyValuePair<string, JsonNode>>? properties = null, IReadOnlyList<JsonNode>? items = null, IReadOnlyList<int>? nameStarts = null)
        {
            Kind = kind;
            Start = start;
            End = end;
            Text = text;
            Properties = properties ?? NoProperties;
            Items = items ?? NoItems;
            NameStarts = nameStarts ?? NoNameStarts;
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

        /// <summary>The offset of each member's name (its opening quote), parallel to <see cref="Properties"/>.</summary>
        public IReadOnlyList<int> NameStarts { get; }

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
        private readonly bool configuration;
        private int position;

        private JsonSyntaxChecker(string text, bool configuration)
        {
            this.text = text;
            this.configuration = configuration;
        }

        /// <summary>Parses <paramref name="text"/>; returns <see langword="null"/> and the document, or the error and where.</summary>
        /// <param name="text">The JSON text.</param>
        /// <param name="document">The document, when the text is well formed.</param>
        /// <param name="errorPosition">Where the error is.</param>
        /// <param name="configuration">
        /// Accept what Microsoft.Extensions.Configuration.Json accepts beyond RFC 8259 (the runtime reads
        /// <c>routedprompts.json</c> with it): <c>//</c> and <c>/* */</c> comments, and a trailing comma in objects and arrays.
        /// </param>
        public static string? Parse(string text, out JsonNode? document, out int errorPosition, bool configuration = false)
        {
            var checker = new JsonSyntaxChecker(text, configuration);
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

            document = null;
            var error = SkipWhitespace() ?? Value(0, out document);
            if (error is not null)
            {
                return error;
            }

            error = SkipWhitespace();
            return error ?? (position < text.Length ? "unexpected text after the JSON value" : null);
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
            var nameStarts = new List<int>();
            var error = Container('}', () =>
            {
                if (position >= text.Length || text[position] != '"')
                {
                    return "expected a property name";
                }

                var nameStart = position;
                var nameError = String(out var name);
                if (nameError is not null)
                {
                    return nameError;
                }

                var colonError = SkipWhitespace();
                if (colonError is not null || position >= text.Length || text[position] != ':')
                {
                    return colonError ?? "expected ':'";
                }

                position++;
                JsonNode? value = null;
                var valueError = SkipWhitespace() ?? Value(depth + 1, out value);
                if (valueError is null)
                {
                    properties.Add(new KeyValuePair<string, JsonNode>(name, value!));
                    nameStarts.Add(nameStart);
                }

                return valueError;
            });
            node = new JsonNode(JsonNodeKind.Object, start, position, properties: properties, nameStarts: nameStarts);
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
            var error = SkipWhitespace();
            if (error is not null)
            {
                return error;
            }

            if (position < text.Length && text[position] == close)
            {
                position++;
                return null;
            }

            while (true)
            {
                error = SkipWhitespace() ?? element() ?? SkipWhitespace();
                if (error is not null)
                {
                    return error;
                }

                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    error = SkipWhitespace();
                    if (error is not null)
                    {
                        return error;
                    }

                    if (configuration && position < text.Length && text[position] == close)
                    {
                        position++; // a trailing comma
                        return null;
                    }

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

        /// <summary>Skips whitespace (and, in configuration mode, comments); the error of an unterminated comment, else null.</summary>
        private string? SkipWhitespace()
        {
            while (position < text.Length)
            {
                var c = text[position];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                {
                    position++;
                }
                else if (configuration && c == '/' && position + 1 < text.Length && text[position + 1] == '/')
                {
                    while (position < text.Length && text[position] != '\n')
                    {
                        position++;
                    }
                }
                else if (configuration && c == '/' && position + 1 < text.Length && text[position + 1] == '*')
                {
                    var end = text.IndexOf("*/", position + 2, System.StringComparison.Ordinal);
                    if (end < 0)
                    {
                        return "unterminated comment";
                    }

                    position = end + 2;
                }
                else
                {
                    break;
                }
            }

            return null;
        }
    }
}
