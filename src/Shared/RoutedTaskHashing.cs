// One definition of the hashes that identify what a routed task was evaluated with. Compiled (as source) into the
// generator, the analyzers and the tools, so the generator's task descriptors, the analyzers' stale-evaluation rule and
// the eval tool's lock file always agree. Change it only together with a lock-file format version bump.
#nullable enable
using System;
using System.Security.Cryptography;
using System.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>Hashes of a routed task's prompt, schema, eval set and chat options.</summary>
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

        /// <summary>
        /// Hash of the chat options configured for a task (<c>Tasks:&lt;name&gt;</c> <c>Temperature</c>,
        /// <c>MaxOutputTokens</c>, <c>TopP</c>, <c>Seed</c>), or <see langword="null"/> when it sets none: an entry without
        /// this hash was evaluated with the provider's defaults. Fractions are hashed as what is sent, a <c>float</c>
        /// (<c>ChatOptions.Temperature</c>, <c>TopP</c>; the runtime binds them as <c>float</c>), written with six decimals,
        /// so the build (which reads the file's text) and the tool (which reads the bound options) hash alike.
        /// </summary>
        public static string? ChatOptionsHash(double? temperature, long? maxOutputTokens, double? topP, long? seed)
        {
            if (temperature is null && maxOutputTokens is null && topP is null && seed is null)
            {
                return null;
            }

            var text = new StringBuilder();
            Append("temperature", ((float?)temperature)?.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
            Append("maxOutputTokens", maxOutputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Append("topP", ((float?)topP)?.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
            Append("seed", seed?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Hash(text.ToString());

            void Append(string name, string? value) => text.Append(name).Append(':').Append(value ?? "default").Append('\n');
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
