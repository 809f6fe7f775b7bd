using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace RoutedPrompts.Generator.Tests.Fixtures;

// Compiled by the real generator (the test project references it as an analyzer): the run-time tests use the
// descriptors, converters and registry it emits here.

public enum Severity { Low, Medium, High }

[Description("An incident report.")]
public sealed record Incident(
    [Description("What happened.")][StringLength(200, MinimumLength = 3)] string Title,
    Severity Severity,
    Severity? Escalation,
    [property: Range(0, 10)] int Impact,
    IReadOnlyList<Step> Steps,
    [MinLength(1)][MaxLength(5)] string[] Tags,
    Dictionary<string, int> Counters,
    string? Owner,
    DateTimeOffset? ReportedAt,
    Guid Id,
    double Score = 0.5)
{
    [RegularExpression("^[A-Z]{3}$")]
    public string? Code { get; init; }

    [Required]
    public string Region { get; set; } = "eu";

    public required Contact Contact { get; init; }

    [JsonPropertyName("ext")]
    public Dictionary<string, string?>? Extra { get; set; }

    [JsonIgnore]
    public int Ignored { get; set; }

    public string Computed => Title + "!";
}

/// <summary>A recursive type: the schema puts it in <c>$defs</c>.</summary>
public sealed record Step(int Order, string Text, Step? Next);

public sealed class Contact
{
    public string Name { get; set; } = string.Empty;

    public Uri? Url { get; set; }

    public List<Severity> Levels { get; set; } = [];

    public HashSet<string>? Aliases { get; set; }
}

public readonly record struct Point3(double X, double Y, double Z = 1);

public sealed record Gauge(float Level, double? Peak);

public sealed partial class FixturePrompts(PromptRouter router)
{
    [RoutedPrompt(Tier.Small, Prompt = "Read this incident: {text}", EvalSet = "evals/incident.jsonl")]
    public partial Task<Incident> ReadIncidentAsync(string text, CancellationToken cancellationToken = default);

    [RoutedPrompt(Tier.Medium, Name = "fixtures.summary", Instructions = "Be brief.", Prompt = "Summarize {text} in {words} words.", Validator = nameof(NotEmpty))]
    public partial ValueTask<Routed<string>> SummarizeAsync(string text, int words);

    [RoutedPrompt(Tier.Small, MaxTier = Tier.Medium, ConfidenceThreshold = 0.75, Prompt = "Where is {place}?")]
    public partial Task<Point3> LocateAsync(string place);

    [RoutedPrompt(Tier.Small, Prompt = "Read the gauge in {photo}")]
    public partial Task<Gauge> ReadGaugeAsync(string photo);

    // A RouteContext between the parameters it renders (RouteContextTests).
    [RoutedPrompt(Tier.Small, Instructions = "Triage tickets.", Prompt = "Ticket: {ticket} (priority {priority})")]
    public partial Task<Routed<string>> TriageAsync(string ticket, RouteContext? context, int priority, CancellationToken cancellationToken = default);

    private static bool NotEmpty(string summary) => summary.Length > 0;
}
