// One definition of the hashes that identify what a routed task was evaluated with. Compiled (as source) into the
// generator, the analyzers and the tools, so the generator's task descriptors, the analyzers' stale-evaluation rule and
// the eval tool's lock file always agree. Change it only together with a lock-file format version bump.
#nullable enable
using System;
using System.Security.Cryptography;
using System.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>Hashes of a routed task's prompt, schema and eval set.</summary>
    internal static class RoutedTaskHashing
    {
        /// <summary>Prefix of every hash string, naming the algorithm.</summary>
        public const string Prefix = "sha256:";

        /// <summary>
        /// Hash of what the model is asked: the instructions and the template, line endings normalized to <c>\n</c>.
        /// Whitespace inside the text counts (it changes what the model sees).
        /// </summary>
        public static string PromptHash(string? instructions, string template)
        {
            var text = "instructions:" + Normalize(instructions ?? string.Empty) + "\n\u0000template:" + Normalize(template);
            return Hash(text);
        }

        /// <summary>Hash of a JSON Schema's text, line endings normalized and surrounding whitespace trimmed.</summary>
        public static string SchemaHash(string schemaJson) => Hash(Normalize(schemaJson).Trim());

        /// <summary>Hash of an eval set's text: line endings normalized, blank lines dropped, each line trimmed.</summary>
        public static string EvalSetHash(string evalSetText)
        {
            var lines = Normalize(evalSetText).Split('\n');
            var builder = new StringBuilder(evalSetText.Length);
            foreach (var line in lines)
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0)
                {
                    builder.Append(trimmed).Append('\n');
                }
            }

            return Hash(builder.ToString());
        }

        private static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

        private static string Hash(string text)
        {
            using var sha = SHA256.Create();
            var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var hex = new StringBuilder(Prefix.Length + bytes.Length * 2).Append(Prefix);
            foreach (var b in bytes)
            {
                hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return hex.ToString();
        }
    }
}
