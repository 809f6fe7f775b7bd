namespace RoutedPrompts.Shared
{
    /// <summary>The outcome of resolving a method against its prompt and schema files: the model to emit and what to report.</summary>
    internal sealed record ResolvedMethod
    {
        public required TaskModel? Model { get; init; }

        public required EquatableArray<DiagnosticInfo> Diagnostics { get; init; }
    }
}
