using System.ComponentModel;
using System.Globalization;

namespace RoutedPrompts;

/// <summary>Formats template arguments. Called by generated code for non-string parameters.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PromptText
{
    /// <summary>Formats a template argument with the invariant culture; <see langword="null"/> becomes empty text.</summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="value">The argument.</param>
    /// <returns>The text inserted into the prompt.</returns>
    public static string Format<T>(T value) => value switch
    {
        null => string.Empty,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
