namespace RoutedPrompts.Shared
{
    /// <summary>The .NET collection an array or dictionary value is read into.</summary>
    internal enum CollectionShape
    {
        None,
        Array,
        List,
        HashSet,
        Dictionary,
    }
}
