using System.Text;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>A minimal indented writer: four spaces a level, <c>\n</c> line endings, no trailing whitespace.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder builder = new();
        private int indent;

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0)
            {
                builder.Append(' ', indent * 4).Append(text);
            }

            builder.Append('\n');
            return this;
        }

        public SourceWriter Open(string? header = null)
        {
            if (header is not null)
            {
                Line(header);
            }

            Line("{");
            indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => builder.ToString();
    }
}
