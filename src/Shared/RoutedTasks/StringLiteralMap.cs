using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// Maps each character of a string literal's value back to its source span, so template errors can be reported on
    /// the placeholder itself. Handles regular, verbatim and raw literals and their concatenation with <c>+</c>.
    /// </summary>
    internal sealed class StringLiteralMap
    {
        private readonly List<int> _starts = new();
        private readonly List<int> _ends = new();

        private StringLiteralMap()
        {
        }

        public string Value { get; private set; } = string.Empty;

        /// <summary>The source span of <paramref name="length"/> value characters from <paramref name="start"/>.</summary>
        public TextSpan Map(int start, int length)
        {
            if (_starts.Count == 0)
            {
                return default;
            }

            var first = _starts[System.Math.Min(start, _starts.Count - 1)];
            var last = _ends[System.Math.Min(start + System.Math.Max(length, 1) - 1, _ends.Count - 1)];
            return TextSpan.FromBounds(first, last);
        }

        /// <summary>Builds the map, or returns <see langword="null"/> when the expression is not made of literals.</summary>
        public static StringLiteralMap? TryCreate(ExpressionSyntax expression)
        {
            var map = new StringLiteralMap();
            var value = new StringBuilder();
            if (!map.Add(expression, value))
            {
                return null;
            }

            map.Value = value.ToString();
            return map;
        }

        private bool Add(ExpressionSyntax expression, StringBuilder value)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Add(parenthesized.Expression, value);
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression):
                    return Add(binary.Left, value) && Add(binary.Right, value);
                case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression):
                    var before = value.Length;
                    var ok = AddToken(literal.Token, value);
                    if (!ok || value.ToString(before, value.Length - before) != literal.Token.ValueText)
                    {
                        return false;
                    }

                    return true;
                default:
                    return false;
            }
        }

        private bool AddToken(SyntaxToken token, StringBuilder value)
        {
            var text = token.Text;
            var offset = token.SpanStart;
            if (token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken) || token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken))
            {
                return AddRaw(text, offset, value);
            }

            if (text.StartsWith("@\"", System.StringComparison.Ordinal))
            {
                for (var i = 2; i < text.Length - 1; i++)
                {
                    var width = text[i] == '"' ? 2 : 1;
                    Append(value, text[i], offset + i, width);
                    i += width - 1;
                }

                return true;
            }

            if (!text.StartsWith("\"", System.StringComparison.Ordinal))
            {
                return false;
            }

            for (var i = 1; i < text.Length - 1;)
            {
                if (text[i] != '\\')
                {
                    Append(value, text[i], offset + i, 1);
                    i++;
                    continue;
                }

                if (i + 1 >= text.Length - 1)
                {
                    return false;
                }

                var e = text[i + 1];
                var simple = e switch
                {
                    '\'' => '\'', '"' => '"', '\\' => '\\', '0' => '\0', 'a' => '\a', 'b' => '\b', 'e' => '\u001b',
                    'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', 'v' => '\v', _ => (char?)null,
                };
                if (simple is not null)
                {
                    Append(value, simple.Value, offset + i, 2);
                    i += 2;
                    continue;
                }

                var digits = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? CountHex(text, i + 2, 4) : 0;
                if (digits == 0 || i + 2 + digits > text.Length - 1)
                {
                    return false;
                }

                // Each \u and \x escape is one UTF-16 code unit, a surrogate half included (an escaped pair is two escapes,
                // a lone half stays lone, as in the constant's value); only \U above U+FFFF is a pair.
                var code = long.Parse(text.Substring(i + 2, digits), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                if (code > 0x10FFFF)
                {
                    return false;
                }

                if (code <= 0xFFFF)
                {
                    Append(value, (char)code, offset + i, 2 + digits);
                }
                else
                {
                    Append(value, (char)(0xD800 + ((code - 0x10000) >> 10)), offset + i, 2 + digits);
                    Append(value, (char)(0xDC00 + ((code - 0x10000) & 0x3FF)), offset + i, 2 + digits);
                }

                i += 2 + digits;
            }

            return true;
        }

        private bool AddRaw(string text, int offset, StringBuilder value)
        {
            var quotes = 0;
            while (quotes < text.Length && text[quotes] == '"')
            {
                quotes++;
            }

            if (text.Length < 2 * quotes)
            {
                return false;
            }

            var inner = text.Substring(quotes, text.Length - (2 * quotes));
            var innerOffset = offset + quotes;
            var firstBreak = inner.IndexOf('\n');
            if (firstBreak < 0)
            {
                for (var i = 0; i < inner.Length; i++)
                {
                    Append(value, inner[i], innerOffset + i, 1);
                }

                return true;
            }

            var lastBreak = inner.LastIndexOf('\n');
            var indentation = inner.Substring(lastBreak + 1);
            var contentEnd = lastBreak > 0 && inner[lastBreak - 1] == '\r' ? lastBreak - 1 : lastBreak;
            var position = firstBreak + 1;
            while (position < contentEnd)
            {
                var lineEnd = inner.IndexOf('\n', position);
                if (lineEnd < 0 || lineEnd > contentEnd)
                {
                    lineEnd = contentEnd;
                }

                var skip = 0;
                while (skip < indentation.Length && position + skip < lineEnd && inner[position + skip] == indentation[skip])
                {
                    skip++;
                }

                for (var i = position + skip; i < lineEnd; i++)
                {
                    Append(value, inner[i], innerOffset + i, 1);
                }

                if (lineEnd < contentEnd)
                {
                    Append(value, '\n', innerOffset + lineEnd, 1);
                }

                position = lineEnd + 1;
            }

            return true;
        }

        private static int CountHex(string text, int start, int max)
        {
            var count = 0;
            while (count < max && start + count < text.Length - 1 && System.Uri.IsHexDigit(text[start + count]))
            {
                count++;
            }

            return count;
        }

        private void Append(StringBuilder value, char c, int sourceStart, int width)
        {
            value.Append(c);
            _starts.Add(sourceStart);
            _ends.Add(sourceStart + width);
        }
    }
}
