using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace RoutedPrompts;

/// <summary>
/// Log-probabilities through the OpenAI SDK, which <c>Microsoft.Extensions.AI</c> does not surface: requested with
/// <see cref="ChatOptions.RawRepresentationFactory"/> and read back from the raw <see cref="ChatCompletion"/>.
/// </summary>
internal static class OpenAILogProbabilities
{
    /// <summary>Makes the OpenAI client send <c>logprobs: true</c>; clients of other providers ignore the object.</summary>
    public static readonly Func<IChatClient, object?> RequestFactory = static _ => new ChatCompletionOptions { IncludeLogProbabilities = true };

    /// <summary>The answer's total log-probability (the sum over its tokens), or <see langword="null"/> without any.</summary>
    public static double? Read(object? rawRepresentation)
    {
        if (rawRepresentation is not ChatCompletion { ContentTokenLogProbabilities: { Count: > 0 } tokens })
        {
            return null;
        }

        var total = 0d;
        foreach (var token in tokens)
        {
            total += token.LogProbability;
        }

        return double.IsNaN(total) ? null : total;
    }
}
