using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Evaluation;

/// <summary><c>routedprompts.lock.json</c> (see <c>docs/file-formats.md</c>): per task, what it was calibrated with and what was found.</summary>
public sealed class LockFile
{
    /// <summary>The file name (the build reads the same file: <c>RoutedPrompts.Shared.LockFile</c> owns the format).</summary>
    public const string FileName = Shared.LockFile.FileName;

    /// <summary>The format version this library reads and writes.</summary>
    public const int CurrentVersion = Shared.LockFile.Version;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "Small -> Large", not "Small -\u003E Large" (never embedded in HTML)
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true, // "expected": null is an error at its path, not an entry that crashes a reader later
    };

    /// <summary>The format version (required in the file; <see cref="Write"/> sets it when unset).</summary>
    public int? Version { get; set; }

    /// <summary>Entries by task name.</summary>
    public SortedDictionary<string, LockEntry> Tasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Each entry as read (its text, and what it reads as), so <see cref="Write"/> keeps an unchanged entry byte for byte.</summary>
    private readonly Dictionary<string, (string Text, string Canonical)> _read = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads a lock file: the build's reader (<c>RoutedPrompts.Shared.LockFile.Parse</c>) reads the format (version,
    /// entries by task name), and each entry's JSON is read into its typed form, the tool's sections included.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The lock file.</returns>
    /// <exception cref="InvalidDataException">
    /// The file is not a lock file of a supported version, or an entry is invalid (<see cref="Validate"/>); the message
    /// names the file.
    /// </exception>
    public static LockFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = File.ReadAllText(path);
        var document = Shared.LockFile.Parse(text, out var error)
            ?? throw new InvalidDataException($"{path}: {error}. Correct it, or delete the file and run '{ToolCommand.Run("calibrate")}'.");
        // The classifier object is read by the build's reader, which names the field at fault.
        foreach (var (task, entry) in document.Entries)
        {
            if (entry.Classifier?.Problem is { } malformed)
            {
                throw new InvalidDataException($"{path}: tasks.{task}.{malformed}. Correct the entry, or delete it, and run: {LockCheck.FixCommand(task)}");
            }
        }

        var file = new LockFile { Version = CurrentVersion };
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (task, node) in document.EntryNodes)
        {
            texts[task] = text[node.Start..node.End];
            try
            {
                file.Tasks[task] = JsonSerializer.Deserialize<LockEntry>(texts[task], Json)!;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}: tasks.{task} is not a valid entry ({ex.Message}). Correct the entry, or delete it, and run: {LockCheck.FixCommand(task)}", ex);
            }
        }

        if (Validate(file).FirstOrDefault() is ({ } invalid, { } problem))
        {
            throw new InvalidDataException($"{path}: tasks.{invalid}{problem} Correct the entry, or delete it, and run: {LockCheck.FixCommand(invalid)}");
        }

        foreach (var (name, entry) in file.Tasks)
        {
            file._read[name] = (texts[name], JsonSerializer.Serialize(entry, Json));
        }

        return file;
    }

    /// <summary>
    /// What is wrong with the entries: an entry or a tier result that is null, a tier name (<c>startTier</c>, the keys
    /// of <c>thresholds</c> and <c>tiers</c>) that is not Small, Medium or Large, a threshold, accuracy, escalation rate
    /// or accuracy target outside 0..1, a negative cost or example count.
    /// </summary>
    /// <param name="file">The lock file.</param>
    /// <returns>Per problem, the task and the problem from the entry's field on (<c>.thresholds.Small is -3; …</c>).</returns>
    internal static IEnumerable<(string Task, string Problem)> Validate(LockFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (var (task, entry) in file.Tasks)
        {
            if (entry is null)
            {
                yield return (task, " is null.");
                continue;
            }

            if (entry.StartTier.Length > 0 && RoutedPromptsShape.TierIndex(entry.StartTier) is null)
            {
                yield return (task, $".startTier '{entry.StartTier}' is not a tier ({TierNames}).");
            }

            var fields = new List<(string Field, string? Problem)>
            {
                ("expected.accuracy", Fraction(entry.Expected.Accuracy)),
                ("expected.escalationRate", Fraction(entry.Expected.EscalationRate)),
                ("expected.costPerRequestUsd", Cost(entry.Expected.CostPerRequestUsd)),
                ("target.maxAccuracyDrop", Fraction(entry.Target.MaxAccuracyDrop)),
            };
            foreach (var (tier, threshold) in entry.Thresholds)
            {
                fields.Add(($"thresholds.{tier}", RoutedPromptsShape.TierIndex(tier) is not null ? Fraction(threshold) : NoTier));
            }

            foreach (var (tier, result) in entry.Tiers)
            {
                var at = $"tiers.{tier}";
                fields.Add(RoutedPromptsShape.TierIndex(tier) is null ? (at, NoTier)
                    : result is null ? (at, "is null")
                    : (at + ".examples", result.Examples >= 0 ? null : "is negative"));
                if (result is not null)
                {
                    fields.AddRange([
                        (at + ".accuracy", Fraction(result.Accuracy)),
                        (at + ".accuracyLow", Fraction(result.AccuracyLow)),
                        (at + ".accuracyHigh", Fraction(result.AccuracyHigh)),
                        (at + ".costPerRequestUsd", Cost(result.CostPerRequestUsd)),
                    ]);
                }
            }

            foreach (var (field, problem) in fields)
            {
                if (problem is not null)
                {
                    yield return (task, $".{field} {problem}.");
                }
            }
        }

        static string? Fraction(double value) => value is >= 0 and <= 1 ? null : Invariant($"is {value}; it must be between 0 and 1");

        static string? Cost(double value) => value >= 0 && double.IsFinite(value) ? null : Invariant($"is {value}; a cost in USD must be finite and at least 0");

        static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The tier names, for messages.</summary>
    private static readonly string TierNames = string.Join(", ", RoutedPromptsShape.TierNames);

    private static readonly string NoTier = $"names no tier ({TierNames})";

    /// <summary>
    /// Writes the lock file (camelCase, indented, tasks sorted by name so diffs stay small). An entry that reads as it
    /// did when the file was read (a task not recalibrated) is written as it was, byte for byte.
    /// </summary>
    /// <param name="path">The file.</param>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Version ??= CurrentVersion;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Json.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version.Value);
            writer.WriteStartObject("tasks");
            foreach (var (task, entry) in Tasks)
            {
                writer.WritePropertyName(task);
                if (entry is not null && _read.TryGetValue(task, out var read) && read.Canonical == JsonSerializer.Serialize(entry, Json))
                {
                    writer.WriteRawValue(read.Text);
                }
                else
                {
                    JsonSerializer.Serialize(writer, entry, Json);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        File.WriteAllText(path, System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }
}

/// <summary>One task's lock entry.</summary>
public sealed class LockEntry
{
    /// <summary><c>RoutedTaskHashing.PromptHash(instructions, template)</c>.</summary>
    public string PromptHash { get; set; } = string.Empty;

    /// <summary><c>RoutedTaskHashing.SchemaHash(schemaJson)</c>, null for text tasks.</summary>
    public string? SchemaHash { get; set; }

    /// <summary><c>RoutedTaskHashing.EvalSetHash(evalSetText)</c>.</summary>
    public string EvalSetHash { get; set; } = string.Empty;

    /// <summary>
    /// <c>RoutedTaskHashing.ChatOptionsHash(...)</c> of the task's configured chat options; absent when it set none (an
    /// entry written before chat options existed reads the same way).
    /// </summary>
    public string? ChatOptionsHash { get; set; }

    /// <summary>The tier the eval gate found earns the task's traffic.</summary>
    public string StartTier { get; set; } = string.Empty;

    /// <summary>Per tier, the minimum confidence at which its answer is accepted (tiers not listed have no confidence gate).</summary>
    public SortedDictionary<string, double> Thresholds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What the calibrated cascade is expected to do.</summary>
    public LockExpected Expected { get; set; } = new();

    /// <summary>Per-tier results on the eval set.</summary>
    public SortedDictionary<string, LockTierResult> Tiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The quality target calibrated for.</summary>
    public LockTarget Target { get; set; } = new();

    /// <summary>When the task was calibrated.</summary>
    public DateTimeOffset CalibratedAt { get; set; }

    /// <summary>Why the eval gate decided as it did.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The start-tier classifier calibration trained (its model, or why it is off); <see langword="null"/> in entries
    /// written before classifiers existed. Read by the build through <c>RoutedPrompts.Shared.LockClassifier</c>.
    /// </summary>
    public LockClassifierEntry? Classifier { get; set; }

    /// <summary>
    /// Whether the eval results the entry was calibrated on were complete (every deployment answered every example;
    /// <c>calibrate</c> refuses incomplete results). <see langword="null"/> in entries written before it was recorded:
    /// <c>check</c> fails an entry unless it is <see langword="true"/>.
    /// </summary>
    public bool? EvidenceComplete { get; set; }

    /// <summary>Why the entry's evidence cannot be trusted (see <see cref="EvidenceComplete"/>), or <see langword="null"/> when it was complete.</summary>
    /// <returns>The problem in words.</returns>
    public string? EvidenceProblem() => EvidenceComplete switch
    {
        true => null,
        false => "was calibrated on incomplete eval results (answers were missing)",
        null => "does not record that its eval results were complete (written by an older routed-prompts, or by hand)",
    };

    /// <summary>The entry as the build reads it (hashes, start tier and evidence), for the one staleness rule, <c>RoutedPrompts.Shared.LockEntry.Changes</c>.</summary>
    /// <returns>The build's view of the entry.</returns>
    internal Shared.LockEntry Recorded() =>
        new(PromptHash, SchemaHash, EvalSetHash, RoutedPromptsShape.TierIndex(StartTier), null, ChatOptionsHash, EvidenceComplete == true);
}

/// <summary>
/// A lock entry's <c>classifier</c> (docs/file-formats.md): the start-tier classifier's model, its numbers rounded to
/// four significant digits so a diff stays readable, or <c>{ "off": "&lt;why&gt;" }</c>.
/// </summary>
public sealed class LockClassifierEntry
{
    /// <summary>Why the classifier is off, or <see langword="null"/> for a model.</summary>
    public string? Off { get; set; }

    /// <summary>The feature definition's version (<see cref="PromptClassifier.CurrentFeaturesVersion"/>).</summary>
    public int? Features { get; set; }

    /// <summary>The hash size: 2^bits n-gram buckets.</summary>
    public int? BucketBits { get; set; }

    /// <summary>The intercept.</summary>
    public double? Bias { get; set; }

    /// <summary>The n-gram weights by bucket number, ascending.</summary>
    public Dictionary<string, double>? Weights { get; set; }

    /// <summary>The length features' weights.</summary>
    public double[]? LengthWeights { get; set; }

    /// <summary>The length features' means.</summary>
    public double[]? LengthMeans { get; set; }

    /// <summary>The length features' scales.</summary>
    public double[]? LengthScales { get; set; }

    /// <summary>Below this probability a request starts one tier higher.</summary>
    public double? Threshold { get; set; }

    /// <summary>Why it is on (the cross-validated numbers).</summary>
    public string? Reason { get; set; }

    /// <summary>The classifier in words, for <c>report</c> and <c>check</c>: on (weights, threshold, why), off and why, or not baked and why.</summary>
    /// <returns>The description.</returns>
    public string Describe() =>
        Off is not null ? $"off: {Off}"
        : Features != PromptClassifier.CurrentFeaturesVersion
            ? string.Create(CultureInfo.InvariantCulture, $"not baked: its features version {Features} is not the one this version of RoutedPrompts computes ({PromptClassifier.CurrentFeaturesVersion}); recalibrate the task")
        : string.Create(CultureInfo.InvariantCulture, $"on: {Weights?.Count ?? 0} n-gram weights, threshold {Threshold:0.###}, no model call (0 USD); {Reason}");

    /// <summary>The entry of a training's outcome.</summary>
    /// <param name="calibration">The training's outcome.</param>
    /// <returns>The model, or why it is off.</returns>
    public static LockClassifierEntry Of(ClassifierCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        if (calibration.Classifier is not { } c)
        {
            return new LockClassifierEntry { Off = calibration.Reason.StartsWith("off: ", StringComparison.Ordinal) ? calibration.Reason["off: ".Length..] : calibration.Reason };
        }

        var weights = new Dictionary<string, double>(c.Indices.Count, StringComparer.Ordinal);
        for (var i = 0; i < c.Indices.Count; i++)
        {
            weights[c.Indices[i].ToString(CultureInfo.InvariantCulture)] = c.Weights[i];
        }

        return new LockClassifierEntry
        {
            Features = c.FeaturesVersion,
            BucketBits = c.BucketBits,
            Bias = c.Bias,
            Weights = weights,
            LengthWeights = [.. c.LengthWeights],
            LengthMeans = [.. c.LengthMeans],
            LengthScales = [.. c.LengthScales],
            Threshold = c.Threshold,
            Reason = calibration.Reason.StartsWith("on: ", StringComparison.Ordinal) ? calibration.Reason["on: ".Length..] : calibration.Reason,
        };
    }
}

/// <summary>Expected cascade behaviour.</summary>
public sealed class LockExpected
{
    /// <summary>Cascade accuracy.</summary>
    public double Accuracy { get; set; }

    /// <summary>Share of requests that escalate past the start tier.</summary>
    public double EscalationRate { get; set; }

    /// <summary>Mean cost per request in USD, escalations included.</summary>
    public double CostPerRequestUsd { get; set; }
}

/// <summary>One tier's result on the eval set.</summary>
public sealed class LockTierResult
{
    /// <summary>Accuracy.</summary>
    public double Accuracy { get; set; }

    /// <summary>Lower bound of the 95% Wilson interval.</summary>
    public double AccuracyLow { get; set; }

    /// <summary>Upper bound of the 95% Wilson interval.</summary>
    public double AccuracyHigh { get; set; }

    /// <summary>Mean cost per request in USD.</summary>
    public double CostPerRequestUsd { get; set; }

    /// <summary>Examples evaluated.</summary>
    public int Examples { get; set; }
}

/// <summary>The quality target.</summary>
public sealed class LockTarget
{
    /// <summary>The most accuracy the cascade may lose against the top tier.</summary>
    public double MaxAccuracyDrop { get; set; } = 0.01;
}

/// <summary>Builds lock entries from calibrations.</summary>
public static class LockEntries
{
    /// <summary>The entry of a task calibrated over its tiers.</summary>
    /// <param name="task">The task.</param>
    /// <param name="evalSetText">The eval set's text (hashed).</param>
    /// <param name="tiers">The candidate tiers, cheapest first, as the examples' observations are ordered.</param>
    /// <param name="examples">The labelled observations.</param>
    /// <param name="result">The calibration.</param>
    /// <param name="target">The target calibrated for.</param>
    /// <param name="now">The calibration time.</param>
    /// <param name="routing">The configuration evaluated with (its chat options are hashed); <see langword="null"/>: none.</param>
    /// <returns>The entry.</returns>
    /// <param name="classifier">The start-tier classifier trained for the cascade, or <see langword="null"/> when none was trained (the entry then has no <c>classifier</c>).</param>
    public static LockEntry Create(RoutedTask task, string evalSetText, IReadOnlyList<Tier> tiers, IReadOnlyList<CalibrationExample> examples, CalibrationResult result, double target, DateTimeOffset now, RoutedPromptsOptions? routing = null, ClassifierCalibration? classifier = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(result);
        var hashes = TaskHashes.Of(task, evalSetText, routing);
        var entry = new LockEntry
        {
            PromptHash = hashes.Prompt,
            SchemaHash = hashes.Schema,
            EvalSetHash = hashes.EvalSet,
            ChatOptionsHash = hashes.ChatOptions,
            StartTier = tiers[result.StartTier].ToString(),
            Expected = new LockExpected { Accuracy = result.Train.Accuracy, EscalationRate = result.Train.EscalationRate, CostPerRequestUsd = result.Train.CostPerRequestUsd },
            Target = new LockTarget { MaxAccuracyDrop = target },
            CalibratedAt = now,
            Reason = result.Reason,
            Classifier = classifier is null ? null : LockClassifierEntry.Of(classifier),
            EvidenceComplete = true, // labelled observations: an answer, or a gate failure, per example and tier (calibrate refuses incomplete eval results)
        };
        for (var i = 0; i < result.Policy.Chain.Count; i++)
        {
            if (result.Policy.Thresholds[i] is { } threshold)
            {
                entry.Thresholds[tiers[result.Policy.Chain[i]].ToString()] = threshold;
            }
        }

        for (var t = 0; t < tiers.Count; t++)
        {
            entry.Tiers[tiers[t].ToString()] = TierResult(examples, t);
        }

        return entry;
    }

    /// <summary>Whether two entries record the same calibration (everything but <see cref="LockEntry.CalibratedAt"/> equal).</summary>
    /// <param name="a">One entry.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether re-calibrating <paramref name="a"/> into <paramref name="b"/> changed nothing but the time.</returns>
    public static bool SameCalibration(LockEntry a, LockEntry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Untimed(a) == Untimed(b);

        static string Untimed(LockEntry entry)
        {
            var json = JsonSerializer.SerializeToNode(entry)!.AsObject();
            json.Remove(nameof(LockEntry.CalibratedAt));
            return json.ToJsonString();
        }
    }

    /// <summary>One tier alone on the examples: accuracy with its 95% Wilson interval, and mean cost per request.</summary>
    /// <param name="examples">The labelled observations.</param>
    /// <param name="tier">The tier's index in the observations.</param>
    /// <returns>The result.</returns>
    public static LockTierResult TierResult(IReadOnlyList<CalibrationExample> examples, int tier)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var correct = examples.Count(e => e.Tiers[tier] is { Answered: true, Correct: true });
        var (low, high) = Statistics.Wilson(correct, examples.Count);
        return new LockTierResult
        {
            Accuracy = (double)correct / Math.Max(1, examples.Count),
            AccuracyLow = low,
            AccuracyHigh = high,
            CostPerRequestUsd = examples.Count == 0 ? 0 : examples.Average(e => e.Tiers[tier].CostUsd),
            Examples = examples.Count,
        };
    }
}
