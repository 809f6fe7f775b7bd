using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace RoutedPrompts;

/// <summary>
/// Log-probabilities through the OpenAI SDK, which <c>Microsoft.Extensions.AI</c> does not surface: requested with
/// <see cref="ChatOptions.RawRepresentationFactory"/> and read back from the raw <see cref="ChatCompletion"/>.
/// </summary>
internal static class OpenAILogProbabilities
{
    /// <summary>
    /// A copy of <paramref name="options"/> whose raw-representation factory asks for <c>logprobs</c>: an existing
    /// factory keeps every setting it makes (its <see cref="ChatCompletionOptions"/> only gets
    /// <see cref="ChatCompletionOptions.IncludeLogProbabilities"/> set); one that returns another type of object, which
    /// the OpenAI client ignores, is left alone. The caller's options are not changed.
    /// </summary>
    public static ChatOptions Requesting(ChatOptions? options)
    {
        var requesting = options?.Clone() ?? new ChatOptions();
        var existing = options?.RawRepresentationFactory;
        requesting.RawRepresentationFactory = client =>
        {
            var raw = existing?.Invoke(client);
            if (raw is null)
            {
                return new ChatCompletionOptions { IncludeLogProbabilities = true };
            }

            if (raw is ChatCompletionOptions completion)
            {
                completion.IncludeLogProbabilities = true;
            }

            return raw;
        };
        return requesting;
    }

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
