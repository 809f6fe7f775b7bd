using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RoutedPrompts;

/// <summary>
/// Builds <see cref="JsonTypeInfo{T}"/> instances from converters the source generator emits, so answers are read and
/// written without reflection. Called by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RoutedJson
{
    /// <summary>Creates the type info for a generated converter. Called once per task by generated code.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="converter">The generated converter.</param>
    /// <returns>Type info bound to options that know only <typeparamref name="T"/>.</returns>
    public static JsonTypeInfo<T> CreateTypeInfo<T>(JsonConverter<T> converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new ConverterResolver<T>(converter),
        };
        options.MakeReadOnly();
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    private sealed class ConverterResolver<T>(JsonConverter<T> converter) : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            type == typeof(T) ? JsonMetadataServices.CreateValueInfo<T>(options, converter) : null;
    }
}
