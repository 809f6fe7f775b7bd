using System.Text;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>A minimal indented writer: four spaces a level, <c>\n</c> line endings, no trailing whitespace.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _builder = new();
        private int _indent;

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0)
            {
                _builder.Append(' ', _indent * 4).Append(text);
            }

            _builder.Append('\n');
            return this;
        }

        public SourceWriter Open(string? header = null)
        {
            if (header is not null)
            {
                Line(header);
            }

            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => _builder.ToString();
    }
}
