namespace RoutedPrompts.Shared
{
    /// <summary>The routed method's return type around its result type.</summary>
    internal enum ReturnShape
    {
        Task,
        ValueTask,
        TaskOfRouted,
        ValueTaskOfRouted,
    }
}
