using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>Reads the confidence signal of a response (see <see cref="RoutedPromptsResponseProperties"/>).</summary>
internal static class ResponseConfidence
{
    /// <summary>
    /// The answer's confidence (0..1): from <see cref="RoutedPromptsResponseProperties"/> entries first, else from the
    /// OpenAI token log-probabilities of the raw <c>ChatCompletion</c>; <see langword="null"/> without a usable signal.
    /// </summary>
    public static double? ReadFrom(ChatResponse response) =>
        Read(response.AdditionalProperties) ?? (OpenAILogProbabilities.Read(response.RawRepresentation) is { } lp ? Math.Clamp(Math.Exp(lp), 0d, 1d) : null);

    /// <summary>The answer's confidence (0..1), or <see langword="null"/> when the response carries no usable signal.</summary>
    public static double? Read(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null)
        {
            return null;
        }

        if (properties.TryGetValue(RoutedPromptsResponseProperties.LogProb, out var logProb) && ToDouble(logProb) is { } lp)
        {
            return Math.Clamp(Math.Exp(lp), 0d, 1d);
        }

        if (properties.TryGetValue(RoutedPromptsResponseProperties.Confidence, out var confidence) && ToDouble(confidence) is { } c)
        {
            return Math.Clamp(c, 0d, 1d);
        }

        return null;
    }

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
