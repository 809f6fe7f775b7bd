// What the router can read of a task's JSON Schema at run time, so the analyzers refuse at build time a task whose every
// call would fail (RP0124). BCL only: compile it (as source) into anything that must agree, as with RoutedTaskHashing.cs.
#nullable enable

namespace RoutedPrompts.Shared
{
    /// <summary>Limits on a routed task's JSON Schema that the router reaches at run time.</summary>
    internal static class RoutedTaskLimits
    {
        /// <summary>
        /// The deepest nesting of objects and arrays (the root counting as 1) a task's JSON Schema may have: the router
        /// parses it with this <c>MaxDepth</c> (System.Text.Json's default) (<c>JsonDocument.Parse</c> in
        /// <c>TaskRuntime</c>, <c>JsonNode.Parse</c> in <c>SchemaDialect</c>); one level more and every call throws
        /// <c>InvalidOperationException</c>. Each nested record adds two levels (<c>properties</c>, then the member).
        /// </summary>
        public const int MaxSchemaDepth = 64;

        /// <summary>
        /// How deeply the objects and arrays of the JSON text <paramref name="json"/> nest, and the offset of the first
        /// one deeper than <see cref="MaxSchemaDepth"/> (<c>-1</c> when none). Iterative: any depth is measured.
        /// </summary>
        public static int Depth(string json, out int firstTooDeep)
        {
            firstTooDeep = -1;
            int depth = 0, deepest = 0;
            var inString = false;
            for (var i = 0; i < json.Length; i++)
            {
                var c = json[i];
                if (inString)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                    }
                }
                else if (c == '"')
                {
                    inString = true;
                }
                else if (c == '{' || c == '[')
                {
                    depth++;
                    if (depth > deepest)
                    {
                        deepest = depth;
                    }

                    if (depth > MaxSchemaDepth && firstTooDeep < 0)
                    {
                        firstTooDeep = i;
                    }
                }
                else if (c == '}' || c == ']')
                {
                    depth--;
                }
            }

            return deepest;
        }
    }
}
