namespace RoutedPrompts.Shared
{
    /// <summary>
    /// What the syntax/semantic step knows about one routed method before AdditionalFiles are consulted. Carries
    /// locations (as <see cref="LocationInfo"/>) only for diagnostics the next step may still report.
    /// </summary>
    /// <param name="Model">The task, with the template and schema still to resolve when they come from files.</param>
    /// <param name="Diagnostics">Diagnostics found so far.</param>
    /// <param name="PromptFile">The PromptFile argument, to resolve against AdditionalFiles.</param>
    /// <param name="PromptFileLocation">Where the PromptFile argument is.</param>
    /// <param name="SchemaFile">The Schema argument, to resolve against AdditionalFiles.</param>
    /// <param name="SchemaFileLocation">Where the Schema argument is.</param>
    /// <param name="ParameterLocations">Where each parameter is (same order as the model's parameters), for RP0109.</param>
    /// <param name="MethodLocation">The method's name, where a failure to resolve it is reported (RP0199).</param>
    internal sealed record ParsedMethod(
        TaskModel? Model,
        EquatableArray<DiagnosticInfo> Diagnostics,
        string? PromptFile,
        LocationInfo? PromptFileLocation,
        string? SchemaFile,
        LocationInfo? SchemaFileLocation,
        EquatableArray<LocationInfo?> ParameterLocations,
        LocationInfo? MethodLocation);

    /// <summary>The outcome of resolving a method against its prompt and schema files: the model to emit and what to report.</summary>
    internal sealed record ResolvedMethod(TaskModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
