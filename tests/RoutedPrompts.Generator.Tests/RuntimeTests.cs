using System.Text.Json;
using Microsoft.Extensions.AI;
using RoutedPrompts.Generator.Tests.Fixtures;

namespace RoutedPrompts.Generator.Tests;

/// <summary>The generated converters, descriptors and registry of <see cref="FixturePrompts"/>, at run time.</summary>
public sealed class RuntimeTests
{
    private const string IncidentJson = """
        {
          "title": "Disk full",
          "severity": "high",
          "escalation": null,
          "impact": 7,
          "steps": [ { "order": 1, "text": "page", "next": { "order": 2, "text": "fix", "next": null } } ],
          "tags": [ "ops", "disk" ],
          "counters": { "retries": 3 },
          "owner": null,
          "reportedAt": "2025-01-02T03:04:05+00:00",
          "id": "7d0f6c35-5e4a-4a55-9f0b-8d7e7e3c1f10",
          "unknown": { "nested": [1, 2, { "deep": true }] },
          "code": "OPS",
          "region": "us",
          "contact": { "name": "Ann", "url": "https://example.test/ann", "levels": ["LOW", "Medium"], "aliases": ["a"] },
          "ext": { "k": null },
          "computed": "ignored on read",
          "ignored": 42
        }
        """;

    private static RoutedTask<Incident> IncidentTask => FixturePrompts.__RoutedPrompt_ReadIncidentAsync;

    [Fact]
    public void Reads_records_through_their_constructor_and_skips_unknown_properties()
    {
        var incident = JsonSerializer.Deserialize(IncidentJson, IncidentTask.JsonTypeInfo!)!;

        Assert.Equal("Disk full", incident.Title);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Null(incident.Escalation);
        Assert.Equal(7, incident.Impact);
        Assert.Equal("fix", incident.Steps[0].Next!.Text);
        Assert.Null(incident.Steps[0].Next!.Next);
        Assert.Equal(["ops", "disk"], incident.Tags);
        Assert.Equal(3, incident.Counters["retries"]);
        Assert.Null(incident.Owner);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), incident.ReportedAt);
        Assert.Equal(Guid.Parse("7d0f6c35-5e4a-4a55-9f0b-8d7e7e3c1f10"), incident.Id);
        Assert.Equal(0.5, incident.Score);
        Assert.Equal("OPS", incident.Code);
        Assert.Equal("us", incident.Region);
        Assert.Equal("Ann", incident.Contact.Name);
        Assert.Equal(new Uri("https://example.test/ann"), incident.Contact.Url);
        Assert.Equal([Severity.Low, Severity.Medium], incident.Contact.Levels);
        Assert.Equal(["a"], incident.Contact.Aliases!);
        Assert.Null(incident.Extra!["k"]);
        Assert.Equal(0, incident.Ignored);
    }

    [Fact]
    public void Round_trips()
    {
        var incident = JsonSerializer.Deserialize(IncidentJson, IncidentTask.JsonTypeInfo!)!;
        var json = JsonSerializer.Serialize(incident, IncidentTask.JsonTypeInfo!);
        var again = JsonSerializer.Deserialize(json, IncidentTask.JsonTypeInfo!)!;

        Assert.Equal(json, JsonSerializer.Serialize(again, IncidentTask.JsonTypeInfo!));
        Assert.Contains("\"severity\":\"High\"", json, StringComparison.Ordinal);
        Assert.Contains("\"ext\":{\"k\":null}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("computed", json, StringComparison.Ordinal);
        Assert.DoesNotContain("ignored", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Reads_structs_with_constructor_defaults()
    {
        var point = JsonSerializer.Deserialize("""{"x": 1.5, "y": -2}""", FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!);

        Assert.Equal(new Point3(1.5, -2, 1), point);
        Assert.Equal("""{"x":1.5,"y":-2,"z":1}""", JsonSerializer.Serialize(point, FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!));
    }

    [Theory]
    [InlineData("""{"x": 1}""")] // missing required y
    [InlineData("""{"x": "one", "y": 2}""")] // string for a number
    [InlineData("""{"x": 1, "y": 2""")] // truncated
    [InlineData("""[1, 2]""")] // not an object
    public void MalformedStructInputThrowsJsonException(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!));

    [Fact]
    public void Matches_property_names_exactly_as_the_schema_does()
    {
        // A schema that allows extra properties validates "x" and lets "X" through as another property: the reader must
        // take the value the schema judged, not the last case variant.
        var point = JsonSerializer.Deserialize("""{"x": 50, "X": 5000, "Y": 7, "y": 2}""", FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!);

        Assert.Equal(new Point3(50, 2, 1), point);
    }

    [Theory]
    [InlineData("""{"x": 50, "x": 5000, "y": 2}""")] // a member twice
    [InlineData("""{"x": 1, "y": 2, "z": 3, "z": 3}""")] // even with the same value
    public void DuplicatePropertiesThrowJsonException(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!));

    [Fact]
    public void Duplicate_dictionary_keys_throw_json_exception() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(
            IncidentJson.Replace("\"retries\": 3", "\"retries\": 3, \"retries\": 4", StringComparison.Ordinal), IncidentTask.JsonTypeInfo!));

    [Theory]
    [InlineData("""{"level": 1e39, "peak": 1}""")] // float overflow
    [InlineData("""{"level": -1e39, "peak": 1}""")]
    [InlineData("""{"level": 1, "peak": 1e400}""")] // double overflow, in a nullable member
    [InlineData("""{"level": 1, "peak": -1e400}""")]
    public void NonFiniteNumbersThrowJsonException(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FixturePrompts.__RoutedPrompt_ReadGaugeAsync.JsonTypeInfo!));

    [Fact]
    public void Large_finite_numbers_are_read()
    {
        var gauge = JsonSerializer.Deserialize("""{"level": 3.4e38, "peak": 1.7e308}""", FixturePrompts.__RoutedPrompt_ReadGaugeAsync.JsonTypeInfo!)!;

        Assert.Equal(3.4e38f, gauge.Level);
        Assert.Equal(1.7e308, gauge.Peak);
    }

    [Fact]
    public void Non_finite_double_in_a_struct_throws_json_exception() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"x": 1e400, "y": 0}""", FixturePrompts.__RoutedPrompt_LocateAsync.JsonTypeInfo!));

    [Theory]
    [InlineData("\"severity\": \"high\"", "\"severity\": \"Critical\"")] // unknown enum member
    [InlineData("\"severity\": \"high\"", "\"severity\": 2")] // number for an enum
    [InlineData("\"title\": \"Disk full\"", "\"title\": null")] // null for a non-nullable string
    [InlineData("\"tags\": [ \"ops\", \"disk\" ]", "\"tags\": \"ops\"")] // string for an array
    [InlineData("\"impact\": 7,", "")] // missing required member
    [InlineData("\"impact\": 7,", "\"impact\": 99999999999,")] // out of range for int
    [InlineData("\"contact\": {", "\"contact\": [")] // array for an object
    public void MalformedIncidentInputThrowsJsonException(string original, string replacement) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(IncidentJson.Replace(original, replacement, StringComparison.Ordinal), IncidentTask.JsonTypeInfo!));

    [Fact]
    public void Registry_lists_the_tasks_with_their_message_builders()
    {
        var registered = RoutedTaskCatalog.Tasks.Where(t => t.DeclaringType == typeof(FixturePrompts).FullName).ToList();

        Assert.Equal(["FixturePrompts.Classify", "FixturePrompts.Locate", "FixturePrompts.ReadGauge", "FixturePrompts.ReadIncident", "FixturePrompts.ReadOrder", "FixturePrompts.Triage", "fixtures.summary"], registered.Select(t => t.Name));
        Assert.Equal(RoutedPrompts.Generated.RoutedTaskRegistry.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal), registered);
        foreach (var task in registered)
        {
            // The descriptor carries no hashes: the tool and the generator hash its text (RoutedTaskHashing), see LockBakingTests.
            Assert.NotNull(task.CreateMessages);
            Assert.Equal(task.Parameters.Count, task.ParameterTypes.Count);
            Assert.Equal(task.ResultType == typeof(string) ? ResultKind.Text : ResultKind.Json, task.ResultKind);
        }

        var summary = (RoutedTask<string>)registered.Single(t => t.Name == "fixtures.summary");
        Assert.Equal(ResultKind.Text, summary.ResultKind);
        Assert.Equal(Tier.Medium, summary.Tier);
        Assert.Equal("Be brief.", summary.Instructions);
        Assert.Equal(["text", "words"], summary.Parameters);
        Assert.Equal([typeof(string), typeof(int)], summary.ParameterTypes);
        Assert.Equal(
            new[] { (ChatRole.System, "Be brief."), (ChatRole.User, "Summarize cats in 3 words.") },
            summary.CreateMessages!(["cats", 3]).Select(m => (m.Role, m.Text)));
        Assert.Null(summary.JsonTypeInfo);
        Assert.Null(summary.SchemaJson);
        Assert.False(summary.Validator!(string.Empty));
        Assert.True(summary.Validator!("ok"));

        var locate = registered.Single(t => t.Name == "FixturePrompts.Locate");
        Assert.Equal(0.75, locate.ConfidenceThreshold);
        Assert.Equal(Tier.Medium, locate.MaxTier);
        Assert.Equal(typeof(Point3), locate.ResultType);
        Assert.Equal("evals/incident.jsonl", IncidentTask.EvalSet);
        Assert.Equal("RoutedPrompts.Generator.Tests.Fixtures.FixturePrompts", IncidentTask.DeclaringType);
        Assert.Equal("ReadIncidentAsync", IncidentTask.MethodName);
    }
}
