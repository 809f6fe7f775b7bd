using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace RoutedPrompts.Evaluation;

/// <summary>A score: whether the answer counts as correct and, when not, where it differs.</summary>
/// <param name="Correct">Whether the answer is correct.</param>
/// <param name="Mismatch">Where and how the answer differs (a JSON path), or <see langword="null"/>.</param>
public readonly record struct EvalScore(bool Correct, string? Mismatch = null)
{
    /// <summary>A correct answer.</summary>
    public static EvalScore Pass { get; } = new(true);
}

/// <summary>A user scorer of a task's answers (register it for the task instead of the default JSON comparison).</summary>
/// <typeparam name="T">The task's result type.</typeparam>
public interface IEvalScorer<in T>
{
    /// <summary>Scores one answer.</summary>
    /// <param name="actual">The answer.</param>
    /// <param name="example">The example, with its expected value.</param>
    /// <param name="cancellationToken">Cancels scoring.</param>
    /// <returns>The score.</returns>
    ValueTask<EvalScore> ScoreAsync(T actual, EvalExample example, CancellationToken cancellationToken);

    /// <summary>The scorer's name, recorded in the eval results and shown by <c>report</c> (default: the type's name).</summary>
    string Name => GetType().Name;
}

/// <summary>How <see cref="JsonFieldComparer"/> compares an answer with the expected value. The default is exact.</summary>
public sealed record JsonComparisonOptions
{
    /// <summary>Compare strings ignoring case (invariant culture).</summary>
    public bool CaseInsensitiveStrings { get; init; }

    /// <summary>Numbers are equal when they differ by at most this much (default 0: exact).</summary>
    public double NumericTolerance { get; init; }

    /// <summary>Property names (anywhere) or JSON paths (<c>$.summary</c>) not compared.</summary>
    public IReadOnlySet<string> IgnoredFields { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Compare arrays as sets (order and duplicates ignored) instead of element by element.</summary>
    public bool ListsAsSets { get; init; }

    /// <summary>Properties of the answer that the expected value lacks make it wrong (default <see langword="true"/>).</summary>
    public bool ExtraPropertiesAreMismatches { get; init; } = true;
}

/// <summary>The default scorer: compares JSON values field by field (text answers as strings).</summary>
public sealed class JsonFieldComparer(JsonComparisonOptions? options = null)
{
    private readonly JsonComparisonOptions _options = options ?? new JsonComparisonOptions();

    /// <summary>Compares an answer with the expected value.</summary>
    /// <param name="expected">The expected value.</param>
    /// <param name="actual">The answer.</param>
    /// <returns>The score, with the first mismatch's path.</returns>
    public EvalScore Compare(JsonElement expected, JsonElement actual) =>
        Mismatch(expected, actual, "$") is { } where ? new EvalScore(false, where) : EvalScore.Pass;

    /// <summary>Compares a text answer with an expected string (surrounding whitespace ignored).</summary>
    /// <param name="expected">The expected text.</param>
    /// <param name="actual">The answer.</param>
    /// <returns>The score.</returns>
    public EvalScore CompareText(string expected, string actual) =>
        string.Equals(expected.Trim(), actual.Trim(), _options.CaseInsensitiveStrings ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
            ? EvalScore.Pass
            : new EvalScore(false, "$: the text differs");

    private string? Mismatch(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind is JsonValueKind.Number && actual.ValueKind is JsonValueKind.Number)
        {
            return Math.Abs(expected.GetDouble() - actual.GetDouble()) <= _options.NumericTolerance
                ? null
                : Invariant($"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
        }

        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.String:
                return string.Equals(expected.GetString(), actual.GetString(), _options.CaseInsensitiveStrings ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
                    ? null
                    : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    var child = $"{path}.{property.Name}";
                    if (Ignored(property.Name, child))
                    {
                        continue;
                    }

                    if (!actual.TryGetProperty(property.Name, out var value))
                    {
                        return $"{child}: missing";
                    }

                    if (Mismatch(property.Value, value, child) is { } inner)
                    {
                        return inner;
                    }
                }

                if (_options.ExtraPropertiesAreMismatches)
                {
                    foreach (var property in actual.EnumerateObject())
                    {
                        var child = $"{path}.{property.Name}";
                        if (!Ignored(property.Name, child) && !expected.TryGetProperty(property.Name, out _))
                        {
                            return $"{child}: not expected";
                        }
                    }
                }

                return null;
            case JsonValueKind.Array:
                return _options.ListsAsSets ? SetMismatch(expected, actual, path) : ListMismatch(expected, actual, path);
            default:
                return null; // true, false, null: the same kind is the same value
        }
    }

    private string? ListMismatch(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.GetArrayLength() != actual.GetArrayLength())
        {
            return Invariant($"{path}: expected {expected.GetArrayLength()} item(s), got {actual.GetArrayLength()}");
        }

        var i = 0;
        foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
        {
            if (Mismatch(e, a, Invariant($"{path}[{i++}]")) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    private string? SetMismatch(JsonElement expected, JsonElement actual, string path)
    {
        var actualItems = actual.EnumerateArray().ToArray();
        var expectedItems = expected.EnumerateArray().ToArray();
        foreach (var e in expectedItems)
        {
            if (!actualItems.Any(a => Mismatch(e, a, path) is null))
            {
                return $"{path}: {e.GetRawText()} is missing";
            }
        }

        foreach (var a in actualItems)
        {
            if (!expectedItems.Any(e => Mismatch(e, a, path) is null))
            {
                return $"{path}: {a.GetRawText()} is not expected";
            }
        }

        return null;
    }

    private bool Ignored(string name, string path) => _options.IgnoredFields.Contains(name) || _options.IgnoredFields.Contains(path);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Finds a task's scorer: a user scorer, a named static method, or the default JSON field comparison.</summary>
public static class EvalScorers
{
    /// <summary>
    /// A scorer from a static method <c>static bool Name(T actual, JsonElement expected)</c> (or returning
    /// <see cref="EvalScore"/>) on <paramref name="type"/>.
    /// </summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="type">The type declaring the method.</param>
    /// <param name="methodName">The method's name.</param>
    /// <returns>The scorer.</returns>
    /// <exception cref="InvalidOperationException">No such method, with the signature it must have.</exception>
    public static IEvalScorer<T> FromStaticMethod<T>(Type type, string methodName)
    {
        ArgumentNullException.ThrowIfNull(type);
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(T), typeof(JsonElement)]);
        if (method is null || (method.ReturnType != typeof(bool) && method.ReturnType != typeof(EvalScore)))
        {
            throw new InvalidOperationException(
                $"Scorer {type.FullName}.{methodName} not found: declare 'static bool {methodName}({typeof(T).Name} actual, JsonElement expected)' (or returning EvalScore).");
        }

        return new MethodScorer<T>(method, $"{type.FullName}.{methodName}");
    }

    /// <summary>The default scorer: JSON field comparison of the serialized answer (text answers compared as text).</summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="serialize">Serializes an answer to JSON (for JSON tasks).</param>
    /// <param name="options">Comparison options, or <see langword="null"/> for exact.</param>
    /// <returns>The scorer.</returns>
    public static IEvalScorer<T> JsonFields<T>(Func<T, JsonElement> serialize, JsonComparisonOptions? options = null) =>
        new JsonFieldScorer<T>(serialize, new JsonFieldComparer(options), JsonFieldsName(typeof(T) == typeof(string), options ?? new JsonComparisonOptions()));

    /// <summary>The default scorer's name: exact text or JSON fields, with every option that loosens the comparison.</summary>
    private static string JsonFieldsName(bool text, JsonComparisonOptions options)
    {
        List<string> loosened = [];
        if (options.CaseInsensitiveStrings)
        {
            loosened.Add("ignore case");
        }

        if (!text)
        {
            if (options.NumericTolerance > 0)
            {
                loosened.Add(string.Create(CultureInfo.InvariantCulture, $"tolerance {options.NumericTolerance}"));
            }

            if (options.IgnoredFields.Count > 0)
            {
                loosened.Add("ignoring " + string.Join(", ", options.IgnoredFields.Order(StringComparer.Ordinal)));
            }

            if (options.ListsAsSets)
            {
                loosened.Add("lists as sets");
            }

            if (!options.ExtraPropertiesAreMismatches)
            {
                loosened.Add("extra properties allowed");
            }
        }

        var name = text ? "exact text" : "JSON fields";
        return loosened.Count == 0 ? name : $"{name} ({string.Join("; ", loosened)})";
    }

    private sealed class MethodScorer<T>(MethodInfo method, string name) : IEvalScorer<T>
    {
        public string Name => name;

        public ValueTask<EvalScore> ScoreAsync(T actual, EvalExample example, CancellationToken cancellationToken) =>
            ValueTask.FromResult(method.Invoke(null, [actual, example.Expected]) switch
            {
                bool b => b ? EvalScore.Pass : new EvalScore(false, $"{method.Name} returned false"),
                EvalScore score => score,
                _ => new EvalScore(false, $"{method.Name} returned nothing"),
            });
    }

    private sealed class JsonFieldScorer<T>(Func<T, JsonElement> serialize, JsonFieldComparer comparer, string name) : IEvalScorer<T>
    {
        public string Name => name;

        public ValueTask<EvalScore> ScoreAsync(T actual, EvalExample example, CancellationToken cancellationToken) =>
            ValueTask.FromResult(actual is string text && example.Expected.ValueKind == JsonValueKind.String
                ? comparer.CompareText(example.Expected.GetString()!, text)
                : comparer.Compare(example.Expected, serialize(actual)));
    }
}
