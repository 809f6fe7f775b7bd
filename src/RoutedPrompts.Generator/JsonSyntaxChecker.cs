using System.Globalization;

namespace RoutedPrompts.Generator
{
    /// <summary>Checks that a text is one well-formed JSON value (RFC 8259), without a JSON library in the generator.</summary>
    internal sealed class JsonSyntaxChecker
    {
        private const int MaxDepth = 256;
        private readonly string text;
        private int position;

        private JsonSyntaxChecker(string text) => this.text = text;

        /// <summary>Returns <see langword="null"/> when valid, else the error message; <paramref name="errorPosition"/> is where.</summary>
        public static string? Check(string text, out int errorPosition)
        {
            var checker = new JsonSyntaxChecker(text);
            var error = checker.Run();
            errorPosition = checker.position;
            return error;
        }

        private string? Run()
        {
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                position = 1;
            }

            SkipWhitespace();
            var error = Value(0);
            if (error is not null)
            {
                return error;
            }

            SkipWhitespace();
            return position < text.Length ? "unexpected text after the JSON value" : null;
        }

        private string? Value(int depth)
        {
            if (depth > MaxDepth)
            {
                return "the document is nested too deeply";
            }

            if (position >= text.Length)
            {
                return "unexpected end of the document";
            }

            switch (text[position])
            {
                case '{':
                    return Container('}', depth, member: true);
                case '[':
                    return Container(']', depth, member: false);
                case '"':
                    return String();
                case 't':
                    return Word("true");
                case 'f':
                    return Word("false");
                case 'n':
                    return Word("null");
                default:
                    return Number();
            }
        }

        private string? Container(char close, int depth, bool member)
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
                if (member)
                {
                    if (position >= text.Length || text[position] != '"')
                    {
                        return "expected a property name";
                    }

                    var nameError = String();
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
                }

                var error = Value(depth + 1);
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

        private string? String()
        {
            position++;
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '"')
                {
                    position++;
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
                            !int.TryParse(text.Substring(position + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
                        {
                            return "invalid \\u escape";
                        }

                        position += 4;
                    }
                    else if ("\"\\/bfnrt".IndexOf(e) < 0)
                    {
                        return "invalid escape";
                    }
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
