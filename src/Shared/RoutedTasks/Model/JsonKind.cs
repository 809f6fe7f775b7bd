namespace RoutedPrompts.Shared
{
    /// <summary>How a value is written in JSON, and which converter code reads it.</summary>
    internal enum JsonKind
    {
        String,
        Boolean,
        Integer,
        Number,
        DateTime,
        DateTimeOffset,
        DateOnly,
        TimeOnly,
        Guid,
        Uri,
        Enum,
        Object,
        Array,
        Dictionary,
    }
}
