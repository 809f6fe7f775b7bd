using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace RoutedPrompts;

/// <summary>The verdict of a built-in gate: <see cref="AttemptOutcome.Accepted"/> or a failure with its reason.</summary>
internal readonly record struct GateVerdict(AttemptOutcome Outcome, string? Reason)
{
    public static GateVerdict Pass => new(AttemptOutcome.Accepted, null);

    public bool Passed => Outcome == AttemptOutcome.Accepted;

    public static GateVerdict Fail(AttemptOutcome outcome, string reason) => new(outcome, reason);
}

/// <summary>How the confidence gate applies to one answer.</summary>
/// <param name="ConfidenceThreshold">The tier's threshold; <see langword="null"/>: no confidence gate (as in <c>eval</c>).</param>
/// <param name="LogProbabilitiesRequested">Whether the deployment asked for log-probabilities (it only shapes a missing-confidence reason's fix).</param>
internal readonly record struct GateSettings(double? ConfidenceThreshold = null, bool LogProbabilitiesRequested = false);

/// <summary>What the gates made of one answer: the verdict, the parsed value when every gate passed, and the answer's confidence.</summary>
/// <typeparam name="T">The task's result type.</typeparam>
internal readonly record struct GatedAnswer<T>(GateVerdict Verdict, T? Value, double? Confidence);

/// <summary>
/// One task's gates as a unit, in the order the router applies them: empty, refusal and truncation; for JSON tasks
/// valid JSON, finite numbers, the JSON Schema and deserialization; then confidence; then the task's validator method
/// and its <see cref="IResultValidator{T}"/>. It needs no service provider: give it the task and, when the task names
/// a validator type, the validator instance. The router builds one per request; so can the eval tool or a test.
/// </summary>
/// <typeparam name="T">The task's result type.</typeparam>
internal sealed class AnswerGates<T>
{
    private readonly RoutedTask<T> _task;
    private readonly TaskRuntime _runtime;
    private readonly IResultValidator<T>? _validator;

    /// <summary>The gates of <paramref name="task"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="validator">The instance of the task's <see cref="RoutedTask{T}.ValidatorType"/> (required when it names one), or a validator to apply.</param>
    /// <exception cref="ArgumentException">The task names a validator type and no instance of it was given.</exception>
    /// <exception cref="InvalidOperationException">The descriptor is inconsistent (see <see cref="TaskRuntime.For{T}"/>).</exception>
    public AnswerGates(RoutedTask<T> task, IResultValidator<T>? validator = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.ValidatorType is { } type && (validator is null || !type.IsInstanceOfType(validator)))
        {
            throw new ArgumentException($"Routed task '{task.Name}' names validator type {type}: pass an instance of it.", nameof(validator));
        }

        _task = task;
        _runtime = TaskRuntime.For(task);
        _validator = validator;
    }

    /// <summary>Applies the gates in order to <paramref name="response"/>; the first that fails gives the verdict.</summary>
    /// <param name="response">The deployment's answer.</param>
    /// <param name="settings">The confidence threshold that applies, if any.</param>
    /// <param name="tier">The tier that answered (told to the validator).</param>
    /// <param name="deployment">The deployment that answered (told to the validator).</param>
    /// <param name="cancellationToken">Cancels the validator; only this cancellation propagates.</param>
    /// <returns>The verdict, the value when every gate passed, and the confidence the answer carries.</returns>
    public async ValueTask<GatedAnswer<T>> EvaluateAsync(ChatResponse response, GateSettings settings, Tier tier, DeploymentInfo deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var confidence = ResponseConfidence.ReadFrom(response);
        GatedAnswer<T> Failed(GateVerdict verdict) => new(verdict, default, confidence);

        var text = response.Text ?? string.Empty;
        var verdict = AnswerGates.CheckText(text, response.FinishReason, AnswerGates.ReportsRefusal(response));
        if (!verdict.Passed)
        {
            return Failed(verdict);
        }

        T? value;
        if (_task.ResultKind == ResultKind.Text)
        {
            value = (T)(object)text.Trim();
        }
        else
        {
            var json = AnswerGates.StripFence(text);
            verdict = AnswerGates.CheckJson(json, out var document);
            if (!verdict.Passed)
            {
                return Failed(verdict);
            }

            // The answer is parsed once: the schema gate reads the text, deserialization reads this document.
            using var parsed = document!;

            verdict = AnswerGates.CheckNumbers(parsed.RootElement);
            if (!verdict.Passed)
            {
                return Failed(verdict);
            }

            if (_runtime.Schema is { } schemaTask)
            {
                verdict = AnswerGates.CheckSchema(await schemaTask.ConfigureAwait(false), json);
                if (!verdict.Passed)
                {
                    return Failed(verdict);
                }
            }

            (value, verdict) = Deserialize(parsed);
            if (!verdict.Passed)
            {
                return Failed(verdict);
            }
        }

        verdict = AnswerGates.CheckConfidence(confidence, settings.ConfidenceThreshold, settings.LogProbabilitiesRequested);
        if (!verdict.Passed)
        {
            return Failed(verdict);
        }

        verdict = await ValidateAsync(value!, tier, deployment, cancellationToken).ConfigureAwait(false);
        return new(verdict, verdict.Passed ? value : default, confidence);
    }

    private (T? Value, GateVerdict Verdict) Deserialize(JsonDocument json)
    {
        try
        {
            var value = json.Deserialize(_task.JsonTypeInfo!);
            return value is null
                ? (default, GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer is JSON null, not a {typeof(T).Name}."))
                : (value, GateVerdict.Pass);
        }
        catch (Exception ex)
        {
            // Whatever the reader throws, the cause is the answer (the type info is generated): a gate failure, never an escape.
            var where = ex is System.Text.Json.JsonException { Path: { } path } ? $" at {path}" : string.Empty;
            return (default, GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer does not deserialize into {typeof(T).Name}{where} ({ex.GetType().Name})."));
        }
    }

    /// <summary>
    /// The validator gate. A validator that throws rejects the answer (its exception type is the reason, not its message,
    /// which may quote the answer); only the caller's cancellation propagates.
    /// </summary>
    private async ValueTask<GateVerdict> ValidateAsync(T value, Tier tier, DeploymentInfo deployment, CancellationToken cancellationToken)
    {
        if (_task.Validator is { } validator)
        {
            bool valid;
            try
            {
                valid = validator(value);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"The task's validator method threw {ex.GetType().Name}.");
            }

            if (!valid)
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, "The task's validator method rejected the answer.");
            }
        }

        if (_validator is { } resultValidator)
        {
            var name = (_task.ValidatorType ?? resultValidator.GetType()).Name;
            ResultValidation result;
            try
            {
                result = await resultValidator
                    .ValidateAsync(value, new ValidationContext(_task.Name, tier, deployment), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"{name} threw {ex.GetType().Name}.");
            }

            if (!result.IsValid)
            {
                return GateVerdict.Fail(AttemptOutcome.ValidatorRejected, $"{name}: {result.Reason}");
            }
        }

        return GateVerdict.Pass;
    }
}

/// <summary>
/// The built-in answer gates, in the order the router applies them: empty, refusal, truncated, then for JSON tasks
/// parseable JSON, finite numbers and the JSON Schema, then confidence. Whatever the answer holds ends as a verdict, never an exception.
/// Reasons never quote the answer's values.
/// </summary>
internal static class AnswerGates
{
    /// <summary>An answer this long or longer is never taken for a refusal.</summary>
    internal const int RefusalMaxLength = 600;

    /// <summary>A refusal phrase must open the answer or one of its sentences within this many characters.</summary>
    internal const int RefusalWindow = 80;

    private const int MaxListedViolations = 3;

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false };

    private static readonly string[] RefusalPhrases =
    [
        "I'm sorry, but I can't",
        "I'm sorry, but I cannot",
        "I am sorry, but I cannot",
        "I'm sorry, I can't",
        "I cannot help with that",
        "I can't help with that",
        "I can't assist",
        "I cannot assist",
        "I'm unable to help",
        "I am unable to help",
        "I'm not able to help",
        "I won't be able to help",
        "As an AI language model",
    ];

    /// <summary>The <see cref="ErrorContent.ErrorCode"/> Microsoft.Extensions.AI.OpenAI gives a model's refusal (OpenAI's <c>refusal</c> field).</summary>
    internal const string RefusalErrorCode = "Refusal";

    /// <summary>Empty, refusal and truncation, which apply to every task.</summary>
    /// <param name="text">The answer's text.</param>
    /// <param name="finishReason">The provider's finish reason.</param>
    /// <param name="providerRefused">Whether the provider reported a refusal apart from the text (see <see cref="ReportsRefusal"/>).</param>
    public static GateVerdict CheckText(string text, ChatFinishReason? finishReason, bool providerRefused = false)
    {
        if (finishReason == ChatFinishReason.ContentFilter)
        {
            return GateVerdict.Fail(AttemptOutcome.Refusal, "The provider's content filter stopped the answer (finish reason content_filter).");
        }

        if (providerRefused)
        {
            return GateVerdict.Fail(AttemptOutcome.Refusal, "The model refused (the provider reported a refusal: ErrorContent with code Refusal).");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return GateVerdict.Fail(AttemptOutcome.Empty, "The answer was empty.");
        }

        if (FindRefusal(text) is { } phrase)
        {
            return GateVerdict.Fail(AttemptOutcome.Refusal, $"The answer starts like a refusal (\"{phrase}\").");
        }

        if (finishReason == ChatFinishReason.Length)
        {
            return GateVerdict.Fail(AttemptOutcome.Truncated, "The answer was cut off by the output token limit (finish reason length).");
        }

        return GateVerdict.Pass;
    }

    /// <summary>
    /// Whether <paramref name="response"/> carries a refusal outside its text: OpenAI structured outputs return one in the
    /// message's <c>refusal</c> field, which Microsoft.Extensions.AI surfaces as <see cref="ErrorContent"/> with code
    /// <c>Refusal</c> (and empty text).
    /// </summary>
    public static bool ReportsRefusal(ChatResponse response)
    {
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is ErrorContent { ErrorCode: { } code } && code.Equals(RefusalErrorCode, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The refusal phrase a short answer opens with, or <see langword="null"/>.</summary>
    internal static string? FindRefusal(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length >= RefusalMaxLength)
        {
            return null;
        }

        var head = trimmed[..Math.Min(trimmed.Length, RefusalWindow + 40)].ToString().Replace('\u2019', '\'');
        foreach (var phrase in RefusalPhrases)
        {
            for (var at = head.IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
                 at >= 0 && at <= RefusalWindow;
                 at = head.IndexOf(phrase, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                if (StartsSentence(head, at))
                {
                    return phrase;
                }
            }
        }

        return null;
    }

    /// <summary>Whether position <paramref name="at"/> opens the answer or a sentence (so a quoted phrase does not count).</summary>
    private static bool StartsSentence(string text, int at)
    {
        var i = at - 1;
        if (i < 0)
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[i]))
        {
            return false;
        }

        while (i >= 0 && char.IsWhiteSpace(text[i]))
        {
            i--;
        }

        return i < 0 || text[i] is '.' or '!' or '?' or ':' || text[i + 1] == '\n';
    }

    /// <summary>Removes one surrounding Markdown code fence (<c>```</c> or <c>```json</c>), if there is one.</summary>
    internal static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
        {
            return trimmed;
        }

        var firstLineEnd = trimmed.IndexOf('\n');
        if (firstLineEnd < 0)
        {
            return trimmed;
        }

        var info = trimmed[3..firstLineEnd].Trim();
        if (info.Length != 0 && !info.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return trimmed;
        }

        return trimmed[(firstLineEnd + 1)..^3].Trim();
    }

    /// <summary>
    /// Whether <paramref name="json"/> is one well-formed JSON value with unique property names (a duplicate name is
    /// ambiguous: readers disagree on which value wins); when it is, <paramref name="document"/> holds it (the caller
    /// disposes it).
    /// </summary>
    public static GateVerdict CheckJson(string json, out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
            return GateVerdict.Pass;
        }
        catch (System.Text.Json.JsonException ex)
        {
            document = null;
            return GateVerdict.Fail(AttemptOutcome.InvalidJson, $"The answer is not valid JSON or repeats a property name (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).");
        }
        catch (ArgumentException)
        {
            // The text is not valid UTF-16 (an unpaired surrogate), so it cannot even be read as JSON.
            document = null;
            return GateVerdict.Fail(AttemptOutcome.InvalidJson, "The answer is not valid text (it contains an unpaired UTF-16 surrogate).");
        }
    }

    /// <summary>
    /// Part of the schema gate for every JSON task: a number beyond the range of a double (such as <c>1e400</c>) is
    /// not a value any result type can hold (it would read as infinity), so it is a schema violation.
    /// </summary>
    public static GateVerdict CheckNumbers(JsonElement root)
    {
        var path = new List<string>();
        return FindNonFinite(root, path)
            ? GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer violates the JSON Schema: NumberOutOfRange at #{string.Concat(Enumerable.Reverse(path))} (beyond the range of a double).")
            : GateVerdict.Pass;
    }

    /// <summary>Whether <paramref name="element"/> holds a non-finite number; <paramref name="path"/> collects its location, innermost first.</summary>
    private static bool FindNonFinite(JsonElement element, List<string> path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                return !element.TryGetDouble(out var number) || !double.IsFinite(number);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (FindNonFinite(property.Value, path))
                    {
                        path.Add("/" + property.Name);
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindNonFinite(item, path))
                    {
                        path.Add("/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        return true;
                    }

                    index++;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Validates well-formed JSON against the task's schema.</summary>
    public static GateVerdict CheckSchema(JsonSchema schema, string json)
    {
        ICollection<ValidationError> errors;
        try
        {
            JToken token;
            using (var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None })
            {
                token = JToken.Load(reader);
            }

            WidenBigIntegers(token);
            errors = schema.Validate(token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The validator failed on something in the answer: whatever it was, the answer was not shown to conform.
            return GateVerdict.Fail(AttemptOutcome.SchemaViolation, $"The answer could not be checked against the JSON Schema ({ex.GetType().Name}).");
        }

        if (errors.Count == 0)
        {
            return GateVerdict.Pass;
        }

        var flat = new List<ValidationError>();
        Flatten(errors, flat);
        var reason = new StringBuilder("The answer violates the JSON Schema: ");
        for (var i = 0; i < Math.Min(flat.Count, MaxListedViolations); i++)
        {
            if (i > 0)
            {
                reason.Append("; ");
            }

            var error = flat[i];
            reason.Append(error.Kind).Append(" at ").Append(string.IsNullOrEmpty(error.Path) ? "#" : error.Path);
        }

        if (flat.Count > MaxListedViolations)
        {
            reason.Append(" (+").Append(flat.Count - MaxListedViolations).Append(" more)");
        }

        return GateVerdict.Fail(AttemptOutcome.SchemaViolation, reason.Append('.').ToString());
    }

    /// <summary>
    /// Newtonsoft reads an integer beyond <see cref="long"/> as a <see cref="BigInteger"/>, which NJsonSchema cannot
    /// compare (it throws); as a double it keeps its magnitude, so range and type checks still apply.
    /// </summary>
    private static void WidenBigIntegers(JToken token)
    {
        if (token is JValue { Value: BigInteger big } value)
        {
            value.Value = (double)big;
            return;
        }

        if (token is JContainer container)
        {
            foreach (var child in container.Children())
            {
                WidenBigIntegers(child);
            }
        }
    }

    private static void Flatten(IEnumerable<ValidationError> errors, List<ValidationError> into)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                into.Add(error);
                foreach (var nested in child.Errors.Values)
                {
                    Flatten(nested, into);
                }
            }
            else
            {
                into.Add(error);
            }
        }
    }

    /// <summary>
    /// The confidence gate: applies only when the tier has a threshold; then an answer without a confidence signal fails
    /// it (<see cref="AttemptOutcome.MissingConfidence"/>) rather than passing unseen.
    /// </summary>
    /// <param name="confidence">The answer's confidence, or <see langword="null"/> without a signal.</param>
    /// <param name="threshold">The tier's threshold, or <see langword="null"/> when none applies.</param>
    /// <param name="logProbabilitiesRequested">Whether the deployment's client reports confidence (it only shapes the reason's fix).</param>
    public static GateVerdict CheckConfidence(double? confidence, double? threshold, bool logProbabilitiesRequested)
    {
        if (threshold is not { } t)
        {
            return GateVerdict.Pass;
        }

        if (confidence is not { } c)
        {
            var fix = logProbabilitiesRequested
                ? "the endpoint ignored logprobs, or a cache or proxy below UseOpenAILogProbabilities() dropped the raw response. Use an endpoint that returns logprobs, put caches above the middleware, or remove the task's threshold for this tier."
                : "build this deployment's client with UseOpenAILogProbabilities() (OpenAI-compatible endpoints) and set \"LogProbabilities\": true on it, or have its client set routedprompts.confidence.";
            return GateVerdict.Fail(
                AttemptOutcome.MissingConfidence,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The answer carries no confidence signal for the threshold {t:0.####}: {fix}"));
        }

        if (c >= t)
        {
            return GateVerdict.Pass;
        }

        return GateVerdict.Fail(
            AttemptOutcome.LowConfidence,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Confidence {c:0.####} is below the threshold {t:0.####}."));
    }
}
