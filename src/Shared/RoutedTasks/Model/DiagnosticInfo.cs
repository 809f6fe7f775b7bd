using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RoutedPrompts.Shared
{
    /// <summary>A diagnostic to report: the rule's id, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo
    {
        public required string Id { get; init; }

        public required LocationInfo? Location { get; init; }

        public required EquatableArray<string> Arguments { get; init; }

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new() { Id = descriptor.Id, Location = location, Arguments = new EquatableArray<string>(arguments) };

        /// <summary>The diagnostic, located in <paramref name="compilation"/> (see <see cref="LocationInfo.ToLocation"/>).</summary>
        public Diagnostic ToDiagnostic(Compilation compilation, ImmutableDictionary<string, string?>? properties = null, string? externalPath = null) =>
            Diagnostic.Create(DiagnosticDescriptors.Get(Id), Location?.ToLocation(compilation, externalPath) ?? Microsoft.CodeAnalysis.Location.None, properties, Arguments.ToArray<object>());
    }
}
