using System.Text;
using RoutedPrompts.Generator.Tests.Fixtures;
using RoutedPrompts.Shared;
using Nodes = System.Text.Json.Nodes;

namespace RoutedPrompts.Generator.Tests;

/// <summary>
/// The build's schema checker (<see cref="JsonSchemaCheck"/>, behind RP0002) against the router's JSON gate (the schema
/// <see cref="TaskRuntime.ParseSchemaAsync"/> reads, then <see cref="AnswerGates.CheckJson"/>,
/// <see cref="AnswerGates.CheckNumbers"/> and <see cref="AnswerGates.CheckSchema"/>, as the router applies them): over
/// generator-derived and hand-written schemas and valid rows with systematic mutations, the build may leave a row
/// notChecked but never accepts a row the gate rejects, nor rejects one it accepts.
/// </summary>
public sealed class SchemaDifferentialTests
{
    private const string OneOfSchema = """{"type":"object","properties":{"id":{"oneOf":[{"type":"integer"},{"type":"number","minimum":0}]}},"required":["id"]}""";

    /// <summary>Generator-derived schemas with a valid row each.</summary>
    public static readonly (string Name, string Schema, string Row)[] Generated =
    [
        ("Incident", FixturePrompts.__RoutedPrompt_ReadIncidentAsync.SchemaJson!, """
            {"title":"Disk full","severity":"High","escalation":null,"impact":7,
             "steps":[{"order":1,"text":"page","next":{"order":2,"text":"fix","next":null}}],
             "tags":["ops"],"counters":{"retries":3},"owner":null,"reportedAt":"2025-01-02T03:04:05+00:00",
             "id":"7d0f6c35-5e4a-4a55-9f0b-8d7e7e3c1f10","score":0.25,"code":"OPS","region":"us",
             "contact":{"name":"Ann","url":"https://example.test/ann","levels":["Low"],"aliases":["a"]},"ext":{"k":null,"j":"v"}}
            """),
        ("Point3", FixturePrompts.__RoutedPrompt_LocateAsync.SchemaJson!, """{"x":1,"y":-2.5,"z":3e2}"""),
        ("Gauge", FixturePrompts.__RoutedPrompt_ReadGaugeAsync.SchemaJson!, """{"level":0.5,"peak":null}"""),
        ("Order", FixturePrompts.__RoutedPrompt_ReadOrderAsync.SchemaJson!, """
            {"number":42,"placed":"2025-03-04","slot":"10:30:00","paid":true,"refund":null,"receipt":"https://example.test/r/1",
             "items":[{"sku":"A-1","quantity":2,"price":{"amount":9.99,"currency":"EUR"},"via":"Chat"}],
             "totals":{"net":{"amount":19.98,"currency":"EUR"}},"extras":{"gift":null},
             "matrix":[[1,2],[3]],"channels":["Email","Phone"]}
            """),
        ("Category", FixturePrompts.__RoutedPrompt_ClassifyAsync.SchemaJson!, """
            {"name":"root","weight":5.5,"parent":null,
             "children":[{"name":"leaf","weight":-5,"children":[],"parent":{"name":"root","weight":0,"children":[],"parent":null}}]}
            """),
    ];

    /// <summary>Hand-written schemas for what the generator does not emit, with a valid row each.</summary>
    public static readonly (string Name, string Schema, string Row)[] HandWritten =
    [
        ("oneOf", OneOfSchema, """{"id":-3}"""),
        ("oneOf objects", """{"oneOf":[{"type":"object","properties":{"kind":{"enum":["a"]}},"required":["kind"]},{"type":"object","properties":{"size":{"type":"integer","maximum":3}},"required":["size"]}]}""", """{"kind":"a"}"""),
        ("allOf", """{"allOf":[{"type":"object","required":["a"]},{"properties":{"a":{"type":"string","minLength":2},"b":{"type":"boolean"}}}],"additionalProperties":false,"properties":{"a":{},"b":{}}}""", """{"a":"xy","b":true}"""),
        ("anyOf", """{"anyOf":[{"type":"string","pattern":"^[a-z]+$"},{"type":"integer","minimum":10}]}""", "\"abc\""),
        ("pattern", """{"type":"object","properties":{"code":{"type":"string","pattern":"^\\p{Lu}{2}-\\d{3}$"},"word":{"type":"string","pattern":"\\bcat\\b"}},"required":["code"]}""", """{"code":"AB-123","word":"a cat"}"""),
        ("bounds", """{"type":"object","properties":{"n":{"type":"number","minimum":0.1,"maximum":1e3},"i":{"type":"integer","minimum":-3,"maximum":3},"list":{"type":"array","items":{"type":"string","maxLength":3},"minItems":1,"maxItems":2},"any":{"type":"array","maxItems":0}},"required":["n","i","list"]}""", """{"n":0.1,"i":3,"list":["abc"],"any":[1,2]}"""),
        ("enum numbers", """{"type":"object","properties":{"level":{"enum":[1,2.5,"3",true]},"kind":{"type":["string","null"],"enum":["a","b",null]},"size":{"type":"integer","enum":[1,2]}}}""", """{"level":1.0,"kind":null,"size":2}"""),
        ("nullable", """{"type":"object","properties":{"s":{"type":["string","null"],"minLength":2},"o":{"type":["object","null"],"required":["k"]},"x":{"type":"string","x-nullable":true},"e":{"type":"string","enum":["a",null]}},"required":["s","o"]}""", """{"s":null,"o":{"k":1},"x":null,"e":null}"""),
        ("ref siblings", """{"type":"object","properties":{"a":{"$ref":"#/definitions/Short","maxLength":1},"b":{"allOf":[{"$ref":"#/definitions/Short"}],"minLength":5}},"definitions":{"Short":{"type":"string","maxLength":4}}}""", """{"a":"abcd","b":"ab"}"""),
        ("defs", """{"type":"object","properties":{"tree":{"$ref":"#/$defs/Node"}},"required":["tree"],"$defs":{"Node":{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/Node"}}},"required":["v"],"additionalProperties":false}}}""", """{"tree":{"v":1,"kids":[{"v":2}]}}"""),
        ("required untyped", """{"properties":{"a":{"type":"integer"}},"required":["a"]}""", """{"a":1}"""),
        ("additional schema", """{"type":"object","properties":{"fixed":{"type":"string"}},"additionalProperties":{"type":"integer","maximum":5}}""", """{"fixed":"f","extra":4}"""),
        ("formats", """{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"day":{"type":"string","format":"date"},"at":{"type":"string","format":"time"},"id":{"type":"string","format":"uuid"},"mail":{"type":"string","format":"email"},"size":{"type":"string","format":"int32"}}}""", """{"when":"2025-01-02T03:04:05Z","day":"2025-01-02","at":"10:11:12","id":"7d0f6c35-5e4a-4a55-9f0b-8d7e7e3c1f10","mail":"a@b.test","size":"x"}"""),
        ("const", """{"type":"object","properties":{"c":{"const":"fixed"},"d":{"type":"integer","const":3}}}""", """{"c":"other","d":4}"""),
        ("not and multipleOf", """{"type":"object","properties":{"n":{"not":{"type":"string"}},"m":{"type":"number","multipleOf":0.5}}}""", """{"n":1,"m":1.5}"""),
    ];

    [Fact]
    public async Task A_row_matching_both_oneOf_branches_is_rejected_by_the_build_as_by_the_gate()
    {
        // 5 is an integer and a number of at least 0: both branches match, and oneOf means exactly one.
        const string row = """{"id":5}""";

        Assert.False(await GateAcceptsAsync(OneOfSchema, row));
        Assert.NotNull(JsonSchemaCheck.Validate(Parse(OneOfSchema), Parse(row), "expected"));
        Assert.Null(JsonSchemaCheck.Validate(Parse(OneOfSchema), Parse("""{"id":-5}"""), "expected"));
    }

    [Fact]
    public async Task The_build_and_the_gate_agree_on_every_generated_and_hand_written_schema_and_mutated_row()
    {
        var disagreements = new StringBuilder();
        int decided = 0, notChecked = 0;
        var generatedNotChecked = new List<string>();
        foreach (var (name, schemaText, validRow) in Generated.Select(g => (g.Name, g.Schema, g.Row, Generated: true))
                     .Concat(HandWritten.Select(h => (h.Name, h.Schema, h.Row, Generated: false)))
                     .Select(c => (c.Name + (c.Generated ? " (generated)" : string.Empty), c.Schema, c.Row)))
        {
            Assert.True(await GateAcceptsAsync(schemaText, validRow), name + ": the seed row must pass the gate");
            var schema = Parse(schemaText);
            foreach (var row in Mutations(validRow).Prepend(validRow.Trim()).Distinct())
            {
                var build = JsonSchemaCheck.Check(schema, Parse(row), "expected");
                var gate = await GateAcceptsAsync(schemaText, row);
                if (build.Verdict == SchemaVerdict.NotChecked)
                {
                    notChecked++;
                    if (name.EndsWith("(generated)", StringComparison.Ordinal))
                    {
                        generatedNotChecked.Add(build.Message!);
                    }

                    continue;
                }

                decided++;
                if ((build.Verdict == SchemaVerdict.Valid) != gate)
                {
                    disagreements.AppendLine($"{name}: build {build.Verdict} ({build.Message}), gate {(gate ? "accepts" : "rejects")}")
                        .AppendLine("  schema: " + schemaText).AppendLine("  row:    " + row);
                }
            }
        }

        Assert.True(disagreements.Length == 0, "The build's schema check and the router's JSON gate disagree:\n" + disagreements);
        Assert.True(decided > 1000, $"only {decided} rows were decided ({notChecked} not checked)");

        // Generated schemas use only keywords the build decides exactly; only whether a string is an absolute URI depends on
        // the operating system the router runs on.
        Assert.All(generatedNotChecked, message => Assert.Contains("the format 'uri'", message, StringComparison.Ordinal));
    }

    /// <summary>The router's JSON gate as it applies it to an answer, on the schema it reads from the task's text.</summary>
    private static async Task<bool> GateAcceptsAsync(string schemaJson, string answer)
    {
        var schema = await TaskRuntime.ParseSchemaAsync("differential", schemaJson);
        if (!AnswerGates.CheckJson(answer, out var document).Passed)
        {
            return false;
        }

        using (document)
        {
            return AnswerGates.CheckNumbers(document!.RootElement).Passed && AnswerGates.CheckSchema(schema, answer).Passed;
        }
    }

    private static JsonNode Parse(string json)
    {
        Assert.Null(JsonSyntaxChecker.Parse(json, out var node, out _));
        return node!;
    }

    /// <summary>
    /// Rows one mutation away from <paramref name="validRow"/>: at every value a null, a value of each other kind and
    /// kind-specific edge values; at every object each property dropped, an extra one and a repeated one.
    /// </summary>
    private static IEnumerable<string> Mutations(string validRow)
    {
        var root = Nodes.JsonNode.Parse(validRow)!;
        var paths = new List<List<object>>();
        Collect(root, [], paths);
        foreach (var path in paths)
        {
            var original = Get(root, path);
            foreach (var replacement in Replacements(original))
            {
                yield return Replace(validRow, path, replacement);
            }

            if (original is Nodes.JsonObject obj)
            {
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    yield return Edit(validRow, path, o => ((Nodes.JsonObject)o!).Remove(name));
                }

                yield return Edit(validRow, path, o => ((Nodes.JsonObject)o!)["zzExtra"] = 1);
                yield return Edit(validRow, path, o => ((Nodes.JsonObject)o!)["zzExtra"] = "x");
                if (obj.Count > 0)
                {
                    // The first property again (repeated names are no JSON the gate reads).
                    var first = obj.First();
                    yield return Edit(validRow, path, o => ((Nodes.JsonObject)o!)["__repeat__"] = first.Value?.DeepClone())
                        .Replace("\"__repeat__\":", System.Text.Json.JsonSerializer.Serialize(first.Key) + ":", StringComparison.Ordinal);
                }
            }
        }
    }

    private static IEnumerable<string> Replacements(Nodes.JsonNode? value)
    {
        string[] common = ["null", "\"\"", "\"text\"", "0", "-1", "1.5", "true", "{}", "[]", "[null]", "1e400"];
        foreach (var c in common)
        {
            yield return c;
        }

        switch (value?.GetValueKind())
        {
            case System.Text.Json.JsonValueKind.Number:
                var raw = value.ToJsonString();
                var number = double.Parse(raw, System.Globalization.CultureInfo.InvariantCulture);
                yield return raw.Contains('.') || raw.Contains('e') || raw.Contains('E') ? raw : raw + ".0";
                yield return (number + 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                yield return (number - 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                yield return (number + 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                yield return "1e2";
                yield return "99999999999999999999";
                yield return "2.5";
                yield return "5.5000000000000001";
                yield return "5.500000000000001";
                yield return "3";
                yield return "1";
                break;
            case System.Text.Json.JsonValueKind.String:
                var s = value.GetValue<string>();
                yield return System.Text.Json.JsonSerializer.Serialize(s + s + s + s);
                yield return System.Text.Json.JsonSerializer.Serialize(s.Length > 0 ? s[..1] : "x");
                yield return System.Text.Json.JsonSerializer.Serialize(s.ToUpperInvariant());
                yield return System.Text.Json.JsonSerializer.Serialize(s.ToLowerInvariant());
                yield return "\"Critical\"";
                yield return "\"2025-13-45\"";
                yield return "\"2025-01-02 03:04\"";
                yield return "\"25:00:00\"";
                yield return "\"not-a-guid\"";
                yield return "\"relative/path\"";
                yield return "\"1\"";
                break;
            case System.Text.Json.JsonValueKind.Array:
                var array = (Nodes.JsonArray)value;
                if (array.Count > 0)
                {
                    var item = array[0]?.ToJsonString() ?? "null";
                    yield return "[" + string.Join(",", Enumerable.Repeat(item, 6)) + "]";
                    yield return "[" + item + "," + item + "]";
                    yield return "[" + item + ",\"x\"]";
                }

                break;
        }
    }

    private static void Collect(Nodes.JsonNode? node, List<object> path, List<List<object>> into)
    {
        into.Add(path);
        switch (node)
        {
            case Nodes.JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Collect(child, [.. path, name], into);
                }

                break;
            case Nodes.JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i], [.. path, i], into);
                }

                break;
        }
    }

    private static Nodes.JsonNode? Get(Nodes.JsonNode? node, List<object> path)
    {
        foreach (var step in path)
        {
            node = step is string name ? node![name] : node![(int)step];
        }

        return node;
    }

    private static string Replace(string validRow, List<object> path, string replacement)
    {
        if (path.Count == 0)
        {
            return replacement;
        }

        const string marker = "__marker__";
        var root = Nodes.JsonNode.Parse(validRow)!;
        var parent = Get(root, path[..^1])!;
        if (path[^1] is string name)
        {
            parent[name] = marker;
        }
        else
        {
            parent[(int)path[^1]] = marker;
        }

        return root.ToJsonString().Replace("\"" + marker + "\"", replacement, StringComparison.Ordinal);
    }

    private static string Edit(string validRow, List<object> path, Action<Nodes.JsonNode?> edit)
    {
        var root = Nodes.JsonNode.Parse(validRow)!;
        edit(Get(root, path));
        return root.ToJsonString();
    }
}
