using System;
using System.Collections.Generic;
using System.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>Parses a prompt template: literal text, <c>{name}</c> placeholders, <c>{{</c>/<c>}}</c> escapes.</summary>
    internal static class TemplateParser
    {
        /// <summary>A template token; positions are offsets in the template text.</summary>
        internal readonly struct Token
        {
            public Token(TokenKind kind, string text, int start, int length)
            {
                Kind = kind;
                Text = text;
                Start = start;
                Length = length;
            }

            public TokenKind Kind { get; }

            /// <summary>The literal text, the placeholder name, or the unmatched brace.</summary>
            public string Text { get; }

            public int Start { get; }

            public int Length { get; }
        }

        internal enum TokenKind
        {
            Literal,
            Placeholder,
            UnmatchedBrace,
        }

        public static List<Token> Parse(string template)
        {
            var tokens = new List<Token>();
            var literal = new StringBuilder();
            var literalStart = 0;
            var i = 0;

            void FlushLiteral(int end)
            {
                if (literal.Length > 0)
                {
                    tokens.Add(new Token(TokenKind.Literal, literal.ToString(), literalStart, end - literalStart));
                    literal.Clear();
                }
            }

            while (i < template.Length)
            {
                var c = template[i];
                if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
                {
                    if (literal.Length == 0)
                    {
                        literalStart = i;
                    }

                    literal.Append('{');
                    i += 2;
                }
                else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
                {
                    if (literal.Length == 0)
                    {
                        literalStart = i;
                    }

                    literal.Append('}');
                    i += 2;
                }
                else if (c == '{')
                {
                    var close = template.IndexOf('}', i + 1);
                    var nextOpen = template.IndexOf('{', i + 1);
                    FlushLiteral(i);
                    if (close < 0 || (nextOpen >= 0 && nextOpen < close))
                    {
                        tokens.Add(new Token(TokenKind.UnmatchedBrace, "{", i, 1));
                        i++;
                    }
                    else
                    {
                        var name = template.Substring(i + 1, close - i - 1);
                        tokens.Add(new Token(TokenKind.Placeholder, name, i, close - i + 1));
                        i = close + 1;
                    }
                }
                else if (c == '}')
                {
                    FlushLiteral(i);
                    tokens.Add(new Token(TokenKind.UnmatchedBrace, "}", i, 1));
                    i++;
                }
                else
                {
                    if (literal.Length == 0)
                    {
                        literalStart = i;
                    }

                    literal.Append(c);
                    i++;
                }
            }

            FlushLiteral(template.Length);
            return tokens;
        }

        /// <summary>Binds a template's placeholders to parameters.</summary>
        /// <param name="template">The template text.</param>
        /// <param name="parameters">The method's parameters.</param>
        /// <param name="methodName">For messages.</param>
        /// <param name="locate">Maps a (start, length) range of the template text to a location.</param>
        /// <param name="diagnostics">Receives binding errors.</param>
        /// <param name="used">Receives the names of bound parameters.</param>
        /// <returns>The parts to render.</returns>
        public static List<TemplatePart> Bind(
            string template,
            IReadOnlyList<ParameterInfo> parameters,
            string methodName,
            Func<int, int, LocationInfo?> locate,
            List<DiagnosticInfo> diagnostics,
            HashSet<string> used)
        {
            var parts = new List<TemplatePart>();
            foreach (var token in Parse(template))
            {
                switch (token.Kind)
                {
                    case TokenKind.Literal:
                        parts.Add(new TemplatePart { Literal = token.Text, ParameterName = null, IsString = true });
                        break;
                    case TokenKind.UnmatchedBrace:
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnmatchedBrace, locate(token.Start, token.Length), token.Text, methodName));
                        break;
                    default:
                        ParameterInfo? match = null;
                        var context = false;
                        foreach (var p in parameters)
                        {
                            if (string.Equals(p.PlainName, token.Text, StringComparison.Ordinal) && p.Role is ParameterRole.Bindable or ParameterRole.Context)
                            {
                                match = p.Role == ParameterRole.Bindable ? p : null;
                                context = p.Role == ParameterRole.Context;
                                break;
                            }
                        }

                        if (context)
                        {
                            // Its own rule, not RP0107: the "add a parameter" fix must not add a second parameter of that name.
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContextPlaceholder, locate(token.Start, token.Length), token.Text, methodName));
                        }
                        else if (match is null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownPlaceholder, locate(token.Start, token.Length), token.Text, methodName));
                        }
                        else
                        {
                            used.Add(match.PlainName);
                            parts.Add(new TemplatePart { Literal = null, ParameterName = match.Name, IsString = match.IsString });
                        }

                        break;
                }
            }

            return parts;
        }
    }
}
