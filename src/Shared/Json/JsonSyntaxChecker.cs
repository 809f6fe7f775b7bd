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
        private readonly string _text;
        private readonly bool _configuration;
        private int _position;

        private JsonSyntaxChecker(string text, bool configuration)
        {
            _text = text;
            _configuration = configuration;
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
            errorPosition = checker._position;
            if (error is not null)
            {
                document = null;
            }

            return error;
        }

        private string? Run(out JsonNode? document)
        {
            if (_text.Length > 0 && _text[0] == '\uFEFF')
            {
                _position = 1;
            }

            document = null;
            var error = SkipWhitespace() ?? Value(0, out document);
            if (error is not null)
            {
                return error;
            }

            error = SkipWhitespace();
            return error ?? (_position < _text.Length ? "unexpected text after the JSON value" : null);
        }

        private string? Value(int depth, out JsonNode? node)
        {
            node = null;
            if (depth > MaxDepth)
            {
                return "the document is nested too deeply";
            }

            if (_position >= _text.Length)
            {
                return "unexpected end of the document";
            }

            var start = _position;
            string? error;
            switch (_text[_position])
            {
                case '{':
                    return Object(depth, out node);
                case '[':
                    return Array(depth, out node);
                case '"':
                    error = String(out var value);
                    node = new JsonNode(JsonNodeKind.String, start, _position, value);
                    return error;
                case 't':
                    error = Word("true");
                    node = new JsonNode(JsonNodeKind.True, start, _position);
                    return error;
                case 'f':
                    error = Word("false");
                    node = new JsonNode(JsonNodeKind.False, start, _position);
                    return error;
                case 'n':
                    error = Word("null");
                    node = new JsonNode(JsonNodeKind.Null, start, _position);
                    return error;
                default:
                    error = Number();
                    node = new JsonNode(JsonNodeKind.Number, start, _position, _text.Substring(start, _position - start));
                    return error;
            }
        }

        private string? Object(int depth, out JsonNode? node)
        {
            var start = _position;
            var properties = new List<KeyValuePair<string, JsonNode>>();
            var nameStarts = new List<int>();
            var error = Container('}', () =>
            {
                if (_position >= _text.Length || _text[_position] != '"')
                {
                    return "expected a property name";
                }

                var nameStart = _position;
                var nameError = String(out var name);
                if (nameError is not null)
                {
                    return nameError;
                }

                var colonError = SkipWhitespace();
                if (colonError is not null || _position >= _text.Length || _text[_position] != ':')
                {
                    return colonError ?? "expected ':'";
                }

                _position++;
                JsonNode? value = null;
                var valueError = SkipWhitespace() ?? Value(depth + 1, out value);
                if (valueError is null)
                {
                    properties.Add(new KeyValuePair<string, JsonNode>(name, value!));
                    nameStarts.Add(nameStart);
                }

                return valueError;
            });
            node = new JsonNode(JsonNodeKind.Object, start, _position, properties: properties, nameStarts: nameStarts);
            return error;
        }

        private string? Array(int depth, out JsonNode? node)
        {
            var start = _position;
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
            node = new JsonNode(JsonNodeKind.Array, start, _position, items: items);
            return error;
        }

        private string? Container(char close, System.Func<string?> element)
        {
            _position++;
            var error = SkipWhitespace();
            if (error is not null)
            {
                return error;
            }

            if (_position < _text.Length && _text[_position] == close)
            {
                _position++;
                return null;
            }

            while (true)
            {
                error = SkipWhitespace() ?? element() ?? SkipWhitespace();
                if (error is not null)
                {
                    return error;
                }

                if (_position < _text.Length && _text[_position] == ',')
                {
                    _position++;
                    error = SkipWhitespace();
                    if (error is not null)
                    {
                        return error;
                    }

                    if (_configuration && _position < _text.Length && _text[_position] == close)
                    {
                        _position++; // a trailing comma
                        return null;
                    }

                    continue;
                }

                if (_position < _text.Length && _text[_position] == close)
                {
                    _position++;
                    return null;
                }

                return "expected ',' or '" + close + "'";
            }
        }

        private string? String(out string value)
        {
            var builder = new StringBuilder();
            value = string.Empty;
            _position++;
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '"')
                {
                    _position++;
                    value = builder.ToString();
                    return null;
                }

                if (c < ' ')
                {
                    return "control character in a string";
                }

                if (c == '\\')
                {
                    _position++;
                    if (_position >= _text.Length)
                    {
                        break;
                    }

                    var e = _text[_position];
                    if (e == 'u')
                    {
                        if (_position + 4 >= _text.Length ||
                            !int.TryParse(_text.Substring(_position + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            return "invalid \\u escape";
                        }

                        builder.Append((char)code);
                        _position += 4;
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

                _position++;
            }

            return "unterminated string";
        }

        private string? Word(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
            {
                return "unexpected character '" + _text[_position] + "'";
            }

            _position += word.Length;
            return null;
        }

        private string? Number()
        {
            var start = _position;
            if (_position < _text.Length && _text[_position] == '-')
            {
                _position++;
            }

            if (!Digits())
            {
                _position = start;
                return "unexpected character '" + _text[_position] + "'";
            }

            if (_position < _text.Length && _text[_position] == '.')
            {
                _position++;
                if (!Digits())
                {
                    return "invalid number";
                }
            }

            if (_position < _text.Length && (_text[_position] == 'e' || _text[_position] == 'E'))
            {
                _position++;
                if (_position < _text.Length && (_text[_position] == '+' || _text[_position] == '-'))
                {
                    _position++;
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
            var start = _position;
            while (_position < _text.Length && _text[_position] >= '0' && _text[_position] <= '9')
            {
                _position++;
            }

            return _position > start;
        }

        /// <summary>Skips whitespace (and, in configuration mode, comments); the error of an unterminated comment, else null.</summary>
        private string? SkipWhitespace()
        {
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                {
                    _position++;
                }
                else if (_configuration && c == '/' && _position + 1 < _text.Length && _text[_position + 1] == '/')
                {
                    while (_position < _text.Length && _text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else if (_configuration && c == '/' && _position + 1 < _text.Length && _text[_position + 1] == '*')
                {
                    var end = _text.IndexOf("*/", _position + 2, System.StringComparison.Ordinal);
                    if (end < 0)
                    {
                        return "unterminated comment";
                    }

                    _position = end + 2;
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
