namespace RoutedPrompts.Shared
{
    /// <summary>
    /// What the syntax/semantic step knows about one routed method before AdditionalFiles are consulted. Carries
    /// locations (as <see cref="LocationInfo"/>) only for diagnostics the next step may still report.
    /// </summary>
    internal sealed record ParsedMethod
    {
        /// <summary>The task, with the template and schema still to resolve when they come from files.</summary>
        public required TaskModel? Model { get; init; }

        /// <summary>Diagnostics found so far.</summary>
        public required EquatableArray<DiagnosticInfo> Diagnostics { get; init; }

        /// <summary>The PromptFile argument, to resolve against AdditionalFiles.</summary>
        public required string? PromptFile { get; init; }

        /// <summary>Where the PromptFile argument is.</summary>
        public required LocationInfo? PromptFileLocation { get; init; }

        /// <summary>The Schema argument, to resolve against AdditionalFiles.</summary>
        public required string? SchemaFile { get; init; }

        /// <summary>Where the Schema argument is.</summary>
        public required LocationInfo? SchemaFileLocation { get; init; }

        /// <summary>Where each parameter is (same order as the model's parameters), for RP0109.</summary>
        public required EquatableArray<LocationInfo?> ParameterLocations { get; init; }

        /// <summary>The method's name, where a failure to resolve it is reported (RP0199).</summary>
        public required LocationInfo? MethodLocation { get; init; }
    }
}
