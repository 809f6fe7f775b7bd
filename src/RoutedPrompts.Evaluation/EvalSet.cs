using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
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
    /// The inputs as a caller passes them to the task's method: each read as its parameter's type (set when the set was
    /// read against a task that declares <see cref="RoutedTask.ParameterTypes"/>), or <see langword="null"/>. The eval
    /// tool builds the example's messages from them with <see cref="RoutedTask.CreateMessages"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Arguments { get; init; }

    /// <summary>
    /// The messages the task's method sends for this example: built by the task's generated builder
    /// (<see cref="RoutedTask.CreateMessages"/>, which the method's body calls too) from <see cref="Arguments"/>, so an
    /// eval sends what production sends.
    /// </summary>
    /// <param name="task">The task the example was read against.</param>
    /// <returns>The instructions as the system message (when the task has them) and the rendered template as the user message.</returns>
    /// <exception cref="InvalidOperationException">
    /// The task's descriptor was written by hand (it has no generated builder, so there is no method whose messages an
    /// eval could send), or the example was not read against it.
    /// </exception>
    public IReadOnlyList<ChatMessage> Messages(RoutedTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.CreateMessages is null || task.ParameterTypes.Count != task.Parameters.Count)
        {
            throw new InvalidOperationException(
                $"{task.Name} cannot be evaluated: its descriptor has no generated message builder (RoutedTask.CreateMessages, with one RoutedTask.ParameterTypes entry per parameter), " +
                "so there are no messages of its method that an eval could send. Evaluate the descriptor the generator emits for a [RoutedPrompt] method.");
        }

        var arguments = new object?[task.Parameters.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            if (Arguments is null || !Arguments.TryGetValue(task.Parameters[i], out arguments[i]))
            {
                throw new InvalidOperationException($"{File}:{Line}: the example was not read against {task.Name} (EvalSet.Load(path, task)), so its inputs are not the method's arguments.");
            }
        }

        return task.CreateMessages(arguments);
    }

    /// <summary>
    /// The text of an input (for a judge's question): formatted as the method formats it in the prompt when the
    /// parameter's type is known (<see cref="Arguments"/>); otherwise a string as it is and any other value as its JSON text.
    /// </summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The input's text.</returns>
    public string Render(string name) =>
        Arguments is not null && Arguments.TryGetValue(name, out var argument) ? PromptText.Format(argument)
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

            var arguments = task is null ? null : Read(task, values, file, line);
            examples.Add(new EvalExample(id, values, root.GetProperty("expected"), file, line) { Arguments = arguments });
        }

        return examples;
    }

    /// <summary>Reads each input as its parameter's type, as a caller of the generated method passes it.</summary>
    private static Dictionary<string, object?>? Read(RoutedTask task, Dictionary<string, JsonElement> inputs, string file, int line)
    {
        if (task.ParameterTypes.Count != task.Parameters.Count)
        {
            return null;
        }

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < task.Parameters.Count; i++)
        {
            var (name, type) = (task.Parameters[i], task.ParameterTypes[i]);
            var input = inputs[name];
            if (type == typeof(string) && input.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                arguments[name] = input.GetRawText(); // {"maxWords": 60} for a string parameter means "60"
                continue;
            }

            try
            {
                arguments[name] = JsonSerializer.Deserialize(input, type, InputJson);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new EvalSetException(file, line, $"inputs.{name}: {Shorten(input.GetRawText())} cannot be read as {TypeName(type)}, the parameter's type ({ex.Message}).", ex);
            }
        }

        return arguments;
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
