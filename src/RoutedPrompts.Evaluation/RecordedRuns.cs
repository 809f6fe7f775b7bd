using System.Globalization;
using RoutedPrompts.Replay;

namespace RoutedPrompts.Evaluation;

/// <summary>
/// Recorded model runs as the tool reads them (<c>replay</c>, <c>eval --replay</c>): the replay format, with values no
/// real call can have rejected at their file and line rather than crashing or skewing the numbers later.
/// </summary>
public static class RecordedRuns
{
    /// <summary>
    /// The most a single recorded call may cost, in USD: far above any real model call, and low enough that any sum of
    /// recorded costs stays exact in <see cref="decimal"/>, which the router counts cost in.
    /// </summary>
    public const double MaxCallCostUsd = 1_000_000;

    /// <summary>Loads a recording (<see cref="ReplayRecording.Load(string)"/>) and checks every recorded cost.</summary>
    /// <param name="path">The JSONL file.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">A line is malformed, or records a cost below 0 or above <see cref="MaxCallCostUsd"/>; the message names <c>file:line</c>.</exception>
    public static ReplayRecording Load(string path)
    {
        var recording = ReplayRecording.Load(path);
        foreach (var query in recording.Queries)
        {
            foreach (var (model, answer) in query.Answers)
            {
                if (answer.CostUsd is { } cost && !(cost >= 0 && cost <= MaxCallCostUsd))
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}:{query.Line}: responses.{model}.cost_usd is {cost}; a recorded call costs between 0 and {MaxCallCostUsd:#,0} USD. Correct the row."));
                }
            }
        }

        return recording;
    }
}
