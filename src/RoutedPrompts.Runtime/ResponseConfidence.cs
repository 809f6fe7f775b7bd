using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>Reads the confidence signal of a response (see <see cref="RoutedPromptsResponseProperties"/>).</summary>
internal static class ResponseConfidence
{
    /// <summary>
    /// The answer's confidence (0..1) from its <see cref="RoutedPromptsResponseProperties"/> entries (a provider's
    /// log-probabilities get there through middleware, e.g. <c>UseOpenAILogProbabilities()</c>); <see langword="null"/>
    /// without a usable signal.
    /// </summary>
    public static double? ReadFrom(ChatResponse response) => Read(response.AdditionalProperties);

    /// <summary>
    /// The answer's confidence (0..1), or <see langword="null"/> when the response carries no usable signal. A value no
    /// correct reporter writes (a log-probability above 0, a confidence outside 0..1: a proxy that sends probabilities as
    /// log-probabilities, a scale of 0..100) is no signal, so a threshold fails it as missing, never passes it as certain.
    /// </summary>
    public static double? Read(AdditionalPropertiesDictionary? properties) =>
        Number(properties, RoutedPromptsResponseProperties.LogProb) is { } lp ? (lp <= LogProbTolerance ? Math.Min(Math.Exp(lp), 1d) : null)
        : Number(properties, RoutedPromptsResponseProperties.Confidence) is { } c ? (c is >= 0d and <= 1d ? c : null)
        : null;

    // A sum of token log-probabilities of 0 that rounding put a hair above it.
    private const double LogProbTolerance = 1e-9;

    /// <summary>A numeric response property (the value types <see cref="RoutedPromptsResponseProperties"/> documents), or <see langword="null"/>.</summary>
    public static double? Number(AdditionalPropertiesDictionary? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value) ? ToDouble(value) : null;

    private static double? ToDouble(object? value)
    {
        double? number = value switch
        {
            double d => d,
            float f => f,
            decimal m => (double)m,
            int i => i,
            long l => l,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            JsonElement { ValueKind: JsonValueKind.String } e => Parse(e.GetString()),
            string s => Parse(s),
            _ => null,
        };
        return number is { } n && !double.IsNaN(n) ? n : null;
    }

    private static double? Parse(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
