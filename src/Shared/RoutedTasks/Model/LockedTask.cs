namespace RoutedPrompts.Shared
{
    /// <summary>A task's entry in the lock file, by task name (the generator's lock input).</summary>
    internal sealed record LockedTask
    {
        public required string Name { get; init; }

        public required LockEntry Entry { get; init; }
    }
}
