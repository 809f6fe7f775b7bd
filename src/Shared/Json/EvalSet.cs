#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RoutedPrompts.Shared
{
    /// <summary>A problem with one line of an eval set: the line's offset range in the file and what is wrong.</summary>
    internal sealed class EvalRowProblem
    {
        public EvalRowProblem(int lineNumber, int start, int length, string message)
        {
            LineNumber = lineNumber;
            Start = start;
            Length = length;
            Message = message;
        }

        /// <summary>1-based.</summary>
        public int LineNumber { get; }

        public int Start { get; }

        public int Length { get; }

        public string Message { get; }
    }

    /// <summary>
    /// Reads an eval set (docs/file-formats.md): one JSON object per line with <c>inputs</c> (one property per template
    /// parameter) and <c>expected</c> (a string for a text task, a value satisfying the schema for a JSON task).
    /// </summary>
    internal static class EvalSet
    {
        /// <summary>
        /// The one check of an eval set's rows (RP0002 at build time, and <c>eval</c> before it reads a row's inputs as
        /// their parameters' types): every non-blank line; returns the number of rows (usable or not) and the problems found.
        /// </summary>
        /// <param name="text">The file's text.</param>
        /// <param name="parameters">The names rows' <c>inputs</c> must have; <see langword="null"/> when the set is read without its task (any names).</param>
        /// <param name="schema">For a JSON task, its schema; <see langword="null"/> for a text task.</param>
        /// <param name="isText">Whether the task returns text (<c>expected</c> must be a string).</param>
        /// <param name="problems">Receives one problem per unusable row, in line order.</param>
        /// <param name="cancelled">Stops the check early when it returns <see langword="true"/>.</param>
        public static int Check(string text, IReadOnlyCollection<string>? parameters, JsonNode? schema, bool isText, List<EvalRowProblem> problems, Func<bool>? cancelled = null)
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var rows = 0;
            var lineStart = 0;
            for (var lineNumber = 1; lineStart <= text.Length && cancelled?.Invoke() != true; lineNumber++)
            {
                var end = text.IndexOf('\n', lineStart);
                var next = end < 0 ? text.Length + 1 : end + 1;
                end = end < 0 ? text.Length : end;
                var contentEnd = end > lineStart && text[end - 1] == '\r' ? end - 1 : end;
                var line = text.Substring(lineStart, contentEnd - lineStart);
                var leading = line.Length - line.TrimStart().Length;
                var trimmed = line.Trim();
                if (trimmed.Length > 0)
                {
                    rows++;
                    var message = CheckRow(line, lineNumber, ids, parameters, schema, isText, out var offset);
                    if (message is not null)
                    {
                        var start = offset >= 0 ? lineStart + offset : lineStart + leading;
                        var length = offset >= 0 ? 0 : trimmed.Length;
                        problems.Add(new EvalRowProblem(lineNumber, start, Math.Max(0, Math.Min(length, text.Length - start)), message));
                    }
                }

                lineStart = next;
            }

            return rows;
        }

        /// <summary>The problem with one line, or <see langword="null"/>; <paramref name="offset"/> is where in the line a syntax error is (else -1).</summary>
        private static string? CheckRow(string line, int lineNumber, Dictionary<string, int> ids, IReadOnlyCollection<string>? parameters, JsonNode? schema, bool isText, out int offset)
        {
            offset = -1;
            if (JsonSyntaxChecker.Parse(line, out var row, out var position) is { } syntax)
            {
                offset = Math.Min(position, line.Length);
                return "not JSON: " + syntax;
            }

            if (row!.Kind != JsonNodeKind.Object)
            {
                return "a row must be a JSON object with 'inputs' and 'expected'";
            }

            if (row.Get("id") is { } id)
            {
                if (id.Kind != JsonNodeKind.String || string.IsNullOrWhiteSpace(id.Text))
                {
                    return "'id' must be a non-empty string (or be left out)";
                }

                if (ids.TryGetValue(id.Text!, out var first))
                {
                    return "id '" + id.Text + "' is already used on line " + first.ToString(CultureInfo.InvariantCulture) + "; ids must be unique";
                }

                ids[id.Text!] = lineNumber;
            }

            if (row.Get("inputs") is not { } inputs || inputs.Kind != JsonNodeKind.Object)
            {
                return "'inputs' must be an object with one property per parameter" + (parameters is null ? string.Empty : " (" + string.Join(", ", parameters) + ")");
            }

            var missing = parameters?.Where(p => inputs.Get(p) is null).ToList() ?? new List<string>();
            var unknown = parameters is null ? new List<string>() : inputs.Properties.Select(p => p.Key).Where(k => !parameters.Contains(k)).ToList();
            if (missing.Count > 0 || unknown.Count > 0)
            {
                return "'inputs' do not match the parameters" +
                    (missing.Count > 0 ? "; missing " + string.Join(", ", missing.Select(m => "'" + m + "'")) : string.Empty) +
                    (unknown.Count > 0 ? "; no parameter named " + string.Join(", ", unknown.Select(m => "'" + m + "'")) : string.Empty);
            }

            if (row.Get("expected") is not { } expected)
            {
                return "the row has no 'expected' result";
            }

            if (isText)
            {
                return expected.Kind == JsonNodeKind.String ? null : "'expected' must be a string for a text task";
            }

            return schema is null ? null : JsonSchemaCheck.Validate(schema, expected, "expected") is { } violation ? "'expected' fails the task's schema: " + violation : null;
        }
    }
}
