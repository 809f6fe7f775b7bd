using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary>One labelled example of an eval set.</summary>
/// <param name="Id">The example's id (<c>&lt;file&gt;:&lt;line&gt;</c> when the row has none).</param>
/// <param name="Inputs">The method's inputs by parameter name.</param>
/// <param name="Expected">The expected result: a JSON value for a JSON task, a string for a text task.</param>
/// <param name="File">The eval set's path.</param>
/// <param name="Line">The 1-based line of the row.</param>
public sealed record EvalExample(string Id, IReadOnlyDictionary<string, JsonElement> Inputs, JsonElement Expected, string File, int Line)
{
    /// <summary>
    /// The inputs as the generated method puts them into the prompt: each read as its parameter's type and formatted
    /// with <see cref="PromptText.Format{T}"/> (set when the set was read against a task that declares
    /// <see cref="RoutedTask.ParameterTypes"/>), or <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Rendered { get; init; }

    /// <summary>
    /// The text an input renders as in the prompt: as the generated method formats it when the parameter's type is known
    /// (<see cref="Rendered"/>); otherwise a string as it is and any other value as its JSON text.
    /// </summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The rendered value.</returns>
    public string Render(string name) =>
        Rendered is not null && Rendered.TryGetValue(name, out var rendered) ? rendered
        : Inputs[name] is { ValueKind: JsonValueKind.String } text ? text.GetString()! : Inputs[name].GetRawText();
}

/// <summary>A malformed eval set row; the message starts with <c>file:line:</c>.</summary>
public sealed class EvalSetException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The eval set's path.</param>
    /// <param name="line">The 1-based line.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    /// <param name="inner">The underlying parse error, if any.</param>
    public EvalSetException(string file, int line, string problem, Exception? inner = null)
        : base($"{file}:{line}: {problem}", inner)
    {
        File = file;
        Line = line;
    }

    /// <summary>The eval set's path.</summary>
    public string File { get; }

    /// <summary>The 1-based line.</summary>
    public int Line { get; }
}

/// <summary>
/// Reads eval sets (<c>evals/**/*.jsonl</c>, see <c>docs/file-formats.md</c>): one JSON object per line with
/// <c>inputs</c>, <c>expected</c> and an optional <c>id</c>. Blank lines are ignored; every other problem is an
/// <see cref="EvalSetException"/> naming the file and line. Nothing is skipped silently. The rows are checked by the
/// one validator the build uses (<c>RoutedPrompts.Shared.EvalSet.Check</c>, RP0002); this reader adds only the typed-input step.
/// </summary>
public static class EvalSet
{
    /// <summary>Reads an eval set file, checking the rows against a task when one is given.</summary>
    /// <param name="path">The file.</param>
    /// <param name="task">The task the set evaluates: inputs must name exactly its parameters, and a row's expected value must be a string (text task) or satisfy its schema (JSON task).</param>
    /// <returns>The examples in file order.</returns>
    /// <exception cref="EvalSetException">A row is malformed.</exception>
    public static IReadOnlyList<EvalExample> Load(string path, RoutedTask? task = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path, task);
    }

    /// <summary>
    /// Parses eval set text: the rows are checked by the build's validator (RP0002: JSON objects, unique ids,
    /// <c>inputs</c> naming exactly the task's parameters, <c>expected</c> a string for a text task and valid against
    /// the schema of a JSON task), then each input is read as its parameter's type.
    /// </summary>
    /// <param name="text">The JSONL text.</param>
    /// <param name="file">Names the file in errors and default ids.</param>
    /// <param name="task">The task the set evaluates, or <see langword="null"/>.</param>
    /// <returns>The examples in order.</returns>
    /// <exception cref="EvalSetException">A row is malformed.</exception>
    public static IReadOnlyList<EvalExample> Parse(string text, string file, RoutedTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<EvalRowProblem>();
        var schema = task?.SchemaJson is { } json && JsonSyntaxChecker.Parse(json, out var node, out _) is null ? node : null;
        Shared.EvalSet.Check(text, task?.Parameters, task?.ResultKind == ResultKind.Text ? null : schema, task?.ResultKind == ResultKind.Text, problems);
        if (problems.Count > 0)
        {
            throw new EvalSetException(file, problems[0].LineNumber, problems[0].Message + ".");
        }

        var examples = new List<EvalExample>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = i + 1;
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new EvalSetException(file, line, $"not JSON ({ex.Message}).", ex); // well-formed for the checker, not for System.Text.Json
            }

            var id = root.TryGetProperty("id", out var idElement) ? idElement.GetString()! : $"{Path.GetFileName(file)}:{line}";
            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var input in root.GetProperty("inputs").EnumerateObject())
            {
                values[input.Name] = input.Value;
            }

            var rendered = task is null ? null : Render(task, values, file, line);
            examples.Add(new EvalExample(id, values, root.GetProperty("expected"), file, line) { Rendered = rendered });
        }

        return examples;
    }

    /// <summary>Reads each input as its parameter's type, as a caller of the generated method passes it, and formats it as that method does.</summary>
    private static Dictionary<string, string>? Render(RoutedTask task, Dictionary<string, JsonElement> inputs, string file, int line)
    {
        if (task.ParameterTypes.Count != task.Parameters.Count)
        {
            return null;
        }

        var rendered = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < task.Parameters.Count; i++)
        {
            var (name, type) = (task.Parameters[i], task.ParameterTypes[i]);
            var input = inputs[name];
            if (type == typeof(string) && input.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                rendered[name] = input.GetRawText(); // {"maxWords": 60} for a string parameter means "60"
                continue;
            }

            object? value;
            try
            {
                value = JsonSerializer.Deserialize(input, type, InputJson);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new EvalSetException(file, line, $"inputs.{name}: {Shorten(input.GetRawText())} cannot be read as {TypeName(type)}, the parameter's type ({ex.Message}).", ex);
            }

            rendered[name] = PromptText.Format(value);
        }

        return rendered;
    }

    /// <summary>How eval-set inputs are read: enums by name or number, property names in any case, numbers only as numbers.</summary>
    private static readonly JsonSerializerOptions InputJson = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private static string Shorten(string json) => json.Length <= 60 ? json : json[..57] + "...";

    private static string TypeName(Type type) =>
        Nullable.GetUnderlyingType(type) is { } inner ? TypeName(inner) + "?"
        : type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
