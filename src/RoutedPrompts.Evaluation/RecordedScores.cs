using System.Text;
using System.Text.Json;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// The ground truth of recorded runs (the <c>correct</c> field of each model's response), by line. Scoring reads it;
/// routing never does (the replay client ignores it).
/// </summary>
public sealed class RecordedScores
{
    private readonly Dictionary<int, Dictionary<string, bool>> _byLine;

    private RecordedScores(Dictionary<int, Dictionary<string, bool>> byLine) => _byLine = byLine;

    /// <summary>Reads the scores of a recorded-runs JSONL file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The scores.</returns>
    /// <exception cref="InvalidDataException">A line is not a JSON object, or a response has no boolean <c>correct</c>; the message names <c>file:line</c>.</exception>
    public static RecordedScores Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var byLine = new Dictionary<int, Dictionary<string, bool>>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var scores = new Dictionary<string, bool>(StringComparer.Ordinal);
                if (document.RootElement.TryGetProperty("responses", out var responses) && responses.ValueKind == JsonValueKind.Object)
                {
                    foreach (var response in responses.EnumerateObject())
                    {
                        if (!response.Value.TryGetProperty("correct", out var correct) || correct.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        {
                            throw new InvalidDataException($"{path}:{number}: the response of model '{response.Name}' has no boolean 'correct'.");
                        }

                        scores[response.Name] = correct.GetBoolean();
                    }
                }

                byLine[number] = scores;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{number}: not a JSON object ({ex.Message})", ex);
            }
        }

        return new RecordedScores(byLine);
    }

    /// <summary>Whether <paramref name="model"/>'s recorded answer on <paramref name="line"/> is correct (false when not recorded).</summary>
    /// <param name="line">The 1-based line of the query.</param>
    /// <param name="model">The model id.</param>
    /// <returns>The score.</returns>
    public bool IsCorrect(int line, string model) =>
        _byLine.TryGetValue(line, out var scores) && scores.TryGetValue(model, out var correct) && correct;
}
