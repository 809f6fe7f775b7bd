using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>A resolved task and the hash of the eval set it names: what <see cref="LockBaker.Bake"/> compares with the lock entry.</summary>
    internal sealed record TaskToBake
    {
        public required TaskModel Model { get; init; }

        /// <summary>The hash of the eval set the task names, or <see langword="null"/> when it names none or the file is not found.</summary>
        public required string? EvalSetHash { get; init; }

        public static TaskToBake Of(TaskModel model, EquatableArray<EvalSetFile> evalSets) => new()
        {
            Model = model,
            EvalSetHash = model.Descriptor?.EvalSet is { } name ? Parser.FindFile(evalSets, name, f => f.Path)?.Hash : null,
        };
    }
}
