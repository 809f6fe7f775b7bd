using System.ComponentModel.DataAnnotations;

namespace RoutedPrompts.Generator.Tests.Fixtures;

// Result types whose generated schemas the schema-checker differential test (SchemaDifferentialTests) validates rows against.

public enum Channel { Email, Phone, Chat }

public sealed record Money([property: Range(0, 1000000)] decimal Amount, [StringLength(3, MinimumLength = 3)] string Currency);

public sealed record LineItem(string Sku, [property: Range(1, 99)] int Quantity, Money Price, Channel? Via);

public sealed record Order(
    long Number,
    DateOnly Placed,
    TimeOnly? Slot,
    IReadOnlyList<LineItem> Items,
    Dictionary<string, Money> Totals,
    Dictionary<string, LineItem?>? Extras,
    List<List<int>> Matrix,
    Channel[] Channels,
    bool Paid,
    Money? Refund,
    Uri? Receipt);

/// <summary>Recursive through a list and a nullable reference.</summary>
public sealed record Category(string Name, IReadOnlyList<Category> Children, Category? Parent, [property: Range(-5, 5.5)] double Weight);

/// <summary>More of <see cref="FixturePrompts"/>, whose registry RuntimeTests checks.</summary>
public sealed partial class FixturePrompts
{
    [RoutedPrompt(Tier.Small, Prompt = "Read the order {text}")]
    public partial Task<Order> ReadOrderAsync(string text);

    [RoutedPrompt(Tier.Small, Prompt = "Classify {text}")]
    public partial Task<Category> ClassifyAsync(string text);
}
