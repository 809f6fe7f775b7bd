namespace RoutedPrompts.Shared
{
    /// <summary>How a deserialized member gets its value.</summary>
    internal enum MemberAssignment
    {
        /// <summary>Set only through the constructor.</summary>
        Constructor,

        /// <summary>An init-only (or required) member, set in the object initializer.</summary>
        Init,

        /// <summary>A settable member, set after construction when present.</summary>
        Set,
    }
}
