#nullable enable
using System;
using System.Collections.Generic;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// The <c>$ref</c>s of a schema file the router cannot follow: one that leaves the file or points at nothing (the
    /// router fails to read the schema, every call), and a cycle of references that returns to a schema without
    /// descending into a property or item (validating the first answer never ends: NJsonSchema throws
    /// "Cyclic references detected" or overflows the stack).
    /// </summary>
    internal static class SchemaReferences
    {
        /// <summary>Keywords whose values are data, not schemas: a <c>$ref</c> in them is no reference.</summary>
        private static readonly string[] DataKeywords = { "enum", "const", "default", "examples" };

        /// <summary>Keywords whose schemas apply to the same value as the schema that holds them.</summary>
        private static readonly string[] SameValueKeywords = { "allOf", "anyOf", "oneOf", "not", "if", "then", "else" };

        /// <summary>The first unusable <c>$ref</c> of <paramref name="root"/>: what is wrong and its value node, or <see langword="null"/>.</summary>
        public static string? Problem(JsonNode root, out JsonNode? at)
        {
            var schemas = Schemas(root);
            foreach (var schema in schemas)
            {
                if (schema.Get("$ref") is not { Kind: JsonNodeKind.String } reference)
                {
                    continue;
                }

                at = reference;
                var target = reference.Text!;
                if (!target.StartsWith("#", StringComparison.Ordinal))
                {
                    return "has a '$ref' \"" + target + "\" that points outside the file; the router resolves only references within it (such as \"#/$defs/name\")";
                }

                if ((target == "#" || target.StartsWith("#/", StringComparison.Ordinal)) && target.IndexOf('%') < 0 &&
                    JsonSchemaCheck.Resolve(root, target) is not { Kind: JsonNodeKind.Object or JsonNodeKind.True or JsonNodeKind.False })
                {
                    return "has a '$ref' \"" + target + "\" that points at no schema within the file";
                }
            }

            // One depth-first search over every schema: a schema finished once reaches no cycle from any start.
            var onPath = new HashSet<JsonNode>();
            var done = new HashSet<JsonNode>();
            foreach (var schema in schemas)
            {
                if (!done.Contains(schema) && Cycle(root, schema, onPath, done) is { } closing)
                {
                    at = closing;
                    return "has a '$ref' \"" + closing.Text + "\" that leads back to the schema it is in without descending into a property or item, so validating an answer never ends; make it describe a property, an item or a definition";
                }
            }

            at = null;
            return null;
        }

        /// <summary>Every object of the document that is a schema (everything but data keywords' values), iteratively.</summary>
        private static List<JsonNode> Schemas(JsonNode root)
        {
            var found = new List<JsonNode>();
            var pending = new Stack<JsonNode>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (node.Kind == JsonNodeKind.Object)
                {
                    found.Add(node);
                    for (var i = node.Properties.Count - 1; i >= 0; i--)
                    {
                        if (Array.IndexOf(DataKeywords, node.Properties[i].Key) < 0)
                        {
                            pending.Push(node.Properties[i].Value);
                        }
                    }
                }
                else if (node.Kind == JsonNodeKind.Array)
                {
                    for (var i = node.Items.Count - 1; i >= 0; i--)
                    {
                        pending.Push(node.Items[i]);
                    }
                }
            }

            return found;
        }

        /// <summary>
        /// Follows the same-value edges (<c>$ref</c>, <c>allOf</c>, <c>not</c>…) from <paramref name="start"/>, depth
        /// first and iteratively; returns the <c>$ref</c> value node that closes a cycle, or <see langword="null"/>.
        /// </summary>
        private static JsonNode? Cycle(JsonNode root, JsonNode start, HashSet<JsonNode> onPath, HashSet<JsonNode> done)
        {
            var path = new Stack<(JsonNode Node, List<(JsonNode Target, JsonNode? Reference)> Edges, int Next)>();
            path.Push((start, Edges(root, start), 0));
            onPath.Add(start);
            while (path.Count > 0)
            {
                var (node, edges, next) = path.Pop();
                if (next == edges.Count)
                {
                    onPath.Remove(node);
                    done.Add(node);
                    continue;
                }

                path.Push((node, edges, next + 1));
                var (target, reference) = edges[next];
                if (onPath.Contains(target))
                {
                    // The edge closes a cycle; a cycle needs a reference, so if this edge is none, one on the path is.
                    return reference ?? ReferenceOnCycle(path, target);
                }

                if (!done.Contains(target))
                {
                    onPath.Add(target);
                    path.Push((target, Edges(root, target), 0));
                }
            }

            return null;
        }

        private static JsonNode? ReferenceOnCycle(Stack<(JsonNode Node, List<(JsonNode Target, JsonNode? Reference)> Edges, int Next)> path, JsonNode cycleStart)
        {
            foreach (var (node, edges, next) in path)
            {
                if (edges[next - 1].Reference is { } reference)
                {
                    return reference;
                }

                if (ReferenceEquals(node, cycleStart))
                {
                    break;
                }
            }

            return null;
        }

        private static List<(JsonNode Target, JsonNode? Reference)> Edges(JsonNode root, JsonNode schema)
        {
            var edges = new List<(JsonNode, JsonNode?)>();
            if (schema.Kind != JsonNodeKind.Object)
            {
                return edges;
            }

            if (schema.Get("$ref") is { Kind: JsonNodeKind.String } reference && JsonSchemaCheck.Resolve(root, reference.Text!) is { Kind: JsonNodeKind.Object } target)
            {
                edges.Add((target, reference));
            }

            foreach (var keyword in SameValueKeywords)
            {
                switch (schema.Get(keyword))
                {
                    case { Kind: JsonNodeKind.Object } single:
                        edges.Add((single, null));
                        break;
                    case { Kind: JsonNodeKind.Array } many:
                        foreach (var item in many.Items)
                        {
                            if (item.Kind == JsonNodeKind.Object)
                            {
                                edges.Add((item, null));
                            }
                        }

                        break;
                }
            }

            return edges;
        }
    }
}
