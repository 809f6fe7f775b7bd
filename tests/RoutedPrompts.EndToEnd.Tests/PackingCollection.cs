using Xunit;

namespace RoutedPrompts.EndToEnd.Tests;

/// <summary>
/// The tests that pack the repository's projects run one at a time: two packs of one project at once would write the
/// same obj/ and bin/ folders.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packing";
}
