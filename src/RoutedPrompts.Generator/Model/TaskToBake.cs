using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>A resolved task and the hash of the eval set it names (<see langword="null"/> when none is found): what <see cref="LockBaker.Bake"/> compares with the lock entry.</summary>
    internal sealed record TaskToBake(TaskModel Model, string? EvalSetHash)
    {
        public static TaskToBake Of(TaskModel model, EquatableArray<EvalSetFile> evalSets) =>
            new(model, model.Descriptor?.EvalSet is { } name ? Parser.FindFile(evalSets, name, f => f.Path)?.Hash : null);
    }
}
