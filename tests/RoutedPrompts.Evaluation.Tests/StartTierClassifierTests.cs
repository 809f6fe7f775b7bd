using Microsoft.Extensions.AI;

namespace RoutedPrompts.Evaluation.Tests;

public sealed class StartTierClassifierTests
{
    private const double CheapCost = 4, TopCost = 10;

    private static readonly string[] Nouns = ["invoice", "router", "garden", "ticket", "planet", "recipe", "server", "bicycle", "contract", "melody", "harbor", "lantern"];
    private static readonly string[] Verbs = ["rename", "summarise", "translate", "classify", "spell", "shorten", "tag", "label"];

    /// <summary>
    /// A synthetic task: a cheap tier that answers the easy requests confidently and right and the hard ones with low
    /// confidence (its gate sends them on, paying for the attempt), a top tier right on both. When
    /// <paramref name="visible"/>, a hard request reads as one (a long proof request); otherwise easy and hard requests
    /// are drawn from the same texts. About one request in twelve is the other kind than its text suggests.
    /// </summary>
    internal static (List<IReadOnlyList<ChatMessage>> Messages, List<CalibrationExample> Examples) Draw(int seed, int count, bool visible)
    {
        var random = new Random(seed);
        var messages = new List<IReadOnlyList<ChatMessage>>(count);
        var examples = new List<CalibrationExample>(count);
        for (var i = 0; i < count; i++)
        {
            var looksHard = random.NextDouble() < 0.4;
            var hard = random.NextDouble() < 1.0 / 12 ? !looksHard : looksHard;
            var text = (visible ? looksHard : random.NextDouble() < 0.4) ? HardText(random) : EasyText(random);
            messages.Add([new ChatMessage(ChatRole.System, "You are a careful assistant."), new ChatMessage(ChatRole.User, text)]);
            var confidence = hard ? 0.2 + (0.5 * random.NextDouble()) : 0.9 + (0.1 * random.NextDouble());
            var cheapRight = hard ? random.NextDouble() < 0.3 : random.NextDouble() < 0.98;
            examples.Add(new CalibrationExample($"e{i}",
            [
                new TierObservation(true, confidence, cheapRight, CheapCost),
                new TierObservation(true, null, random.NextDouble() < 0.97, TopCost),
            ]));
        }

        return (messages, examples);
    }

    private static string EasyText(Random random) =>
        $"Please {Verbs[random.Next(Verbs.Length)]} the word \"{Nouns[random.Next(Nouns.Length)]}\".";

    private static string HardText(Random random) =>
        $"Prove rigorously, step by step, that for every integer n > {random.Next(2, 90)} the {Nouns[random.Next(Nouns.Length)]} sequence converges, " +
        $"then derive the bound on its error term and justify each inequality.\nShow all work; cite the theorem used for the {Nouns[random.Next(Nouns.Length)]} case.";

    private static CalibrationResult Calibrate(IReadOnlyList<CalibrationExample> examples) =>
        new CascadeCalibrator(new CalibrationOptions { AllowSkippingTiers = false, StabilitySeeds = 0 }).Calibrate(examples, ["Small", "Large"]);

    [Fact]
    public void A_classifier_learns_difficulty_that_is_visible_in_the_text()
    {
        var (messages, examples) = Draw(1, 240, visible: true);
        var cascade = Calibrate(examples);
        Assert.Equal([0, 1], cascade.Policy.Chain);

        var result = StartTierClassifier.Train(messages, examples, cascade);

        Assert.NotNull(result.Classifier);
        Assert.StartsWith("on: cross-validation", result.Reason, StringComparison.Ordinal);
        Assert.Contains("0 USD", result.Reason, StringComparison.Ordinal);
        Assert.True(result.WithClassifier!.Saving > result.CascadeAlone!.Saving, result.Reason);
        // Its skips are right far more often than a random skip would be (the failure rate is about 40%).
        Assert.True(result.SkipPrecision > 0.8 && result.SkipPrecision > result.FailureRate + 0.3, result.Reason);

        // On fresh requests of the same task it raises the hard-looking ones and not the easy-looking ones.
        var (freshMessages, freshExamples) = Draw(2, 200, visible: true);
        var classifier = result.Classifier!;
        var raised = freshMessages.Select(m => classifier.Raises(classifier.Predict(m))).ToArray();
        var rightlyRaised = raised.Where((r, i) => r && !StartTierClassifier.FirstTierRight(cascade.Policy, freshExamples[i])).Count();
        Assert.True(raised.Count(r => r) > 40, $"{raised.Count(r => r)} raised");
        Assert.True((double)rightlyRaised / raised.Count(r => r) > 0.8, $"{rightlyRaised} of {raised.Count(r => r)}");
        var fresh = StartTierClassifier.Evaluate(cascade.Policy, classifier, freshMessages, freshExamples, 1);
        var alone = CascadeEvaluation.Evaluate(cascade.Policy, freshExamples, 1);
        Assert.True(fresh.Saving > alone.Saving, $"{fresh.Saving} vs {alone.Saving}");
        Assert.True(fresh.AccuracyDrop <= Math.Max(0.01, alone.AccuracyDrop), $"{fresh.AccuracyDrop} vs {alone.AccuracyDrop}");
    }

    [Fact]
    public void A_classifier_switches_itself_off_when_difficulty_is_not_in_the_text()
    {
        var (messages, examples) = Draw(3, 240, visible: false);
        var cascade = Calibrate(examples) with { Policy = new CascadePolicy([0, 1], [0.8, null]) }; // the cascade the visible task gets

        var result = StartTierClassifier.Train(messages, examples, cascade);

        Assert.True(result.Classifier is null, result.Reason);
        Assert.StartsWith("off: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("than the cascade alone", result.Reason, StringComparison.Ordinal);
        Assert.Contains("it sends no request past the first tier;", result.Reason, StringComparison.Ordinal); // not "0 % of requests …, rightly for 0 % of them"
    }

    [Fact]
    public void A_cascade_of_one_tier_or_too_few_examples_gets_no_classifier_and_says_why()
    {
        var (messages, examples) = Draw(1, 240, visible: true);
        var topOnly = Calibrate(examples) with { Policy = new CascadePolicy([1], [null]) };
        Assert.Equal("off: the cascade has one tier, so there is no cheaper attempt to skip.", StartTierClassifier.Train(messages, examples, topOnly).Reason);

        var few = StartTierClassifier.Train(messages.Take(20).ToList(), examples.Take(20).ToList(), Calibrate(examples));
        Assert.Null(few.Classifier);
        Assert.True(few.Reason.StartsWith("off: too few examples to learn from (20;", StringComparison.Ordinal), few.Reason);
    }

    [Fact]
    public void The_prediction_is_reproduced_exactly_after_a_lock_file_round_trip()
    {
        var (messages, examples) = Draw(1, 240, visible: true);
        var trained = StartTierClassifier.Train(messages, examples, Calibrate(examples));
        var file = new LockFile();
        file.Tasks["T"] = new LockEntry { PromptHash = "sha256:p", EvalSetHash = "sha256:e", StartTier = "Small", Classifier = LockClassifierEntry.Of(trained), EvidenceComplete = true };
        var path = Path.Combine(Path.GetTempPath(), $"clf-{Guid.NewGuid():N}.lock.json");
        try
        {
            file.Write(path);
            var text = File.ReadAllText(path);
            Assert.Contains("\"classifier\": {", text, StringComparison.Ordinal);
            var read = RoutedPrompts.Shared.LockFile.Read(text)!["T"].Classifier!;
            Assert.True(read.IsBakeable, read.Problem ?? read.Unsupported);
            var restored = new PromptClassifier(read.FeaturesVersion, read.BucketBits, read.Bias, read.Indices, read.Weights, read.LengthWeights, read.LengthMeans, read.LengthScales, read.Threshold);
            Assert.Equal(LockFile.Read(path).Tasks["T"].Classifier!.Threshold, restored.Threshold); // the tool's reader agrees

            var original = trained.Classifier!;
            var (fresh, _) = Draw(5, 300, visible: true);
            foreach (var request in fresh.Concat(messages))
            {
                var p = original.Predict(request);
                Assert.Equal(p, restored.Predict(request));
                Assert.Equal(original.Raises(p), restored.Raises(p));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{ "features": 1, "bucketBits": 18, "bias": "high", "weights": {}, "lengthWeights": [0,0,0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 0.5 }""", "tasks.T.classifier.bias is missing or not a finite number")]
    [InlineData("""{ "features": 1, "bucketBits": 18, "bias": 0, "weights": { "x1": 2 }, "lengthWeights": [0,0,0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 0.5 }""", "tasks.T.classifier.weights has the key \"x1\"")]
    [InlineData("""{ "features": 1, "bucketBits": 18, "bias": 0, "weights": {}, "lengthWeights": [0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 0.5 }""", "tasks.T.classifier.lengthWeights must be an array of 5 numbers")]
    [InlineData("""{ "features": 1, "bucketBits": 18, "bias": 0, "weights": {}, "lengthWeights": [0,0,0,0,0], "lengthMeans": [0,0,0,0,0], "lengthScales": [1,1,1,1,1], "threshold": 2 }""", "tasks.T.classifier.threshold must be a number from 0 to 1")]
    [InlineData("""{ "off": 3 }""", "tasks.T.classifier.off must be a string")]
    [InlineData("""[1, 2]""", "tasks.T.classifier must be an object")]
    public void A_malformed_classifier_in_the_lock_file_is_an_error_naming_the_field(string classifier, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"clf-{Guid.NewGuid():N}.lock.json");
        File.WriteAllText(path, $$"""{ "version": 1, "tasks": { "T": { "promptHash": "sha256:p", "evalSetHash": "sha256:e", "startTier": "Small", "evidenceComplete": true, "classifier": {{classifier}} } } }""");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => LockFile.Read(path));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var (messages, examples) = Draw(1, 240, visible: true);
        var cascade = Calibrate(examples);

        var a = StartTierClassifier.Train(messages, examples, cascade).Classifier!;
        var b = StartTierClassifier.Train(messages, examples, cascade).Classifier!;

        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Bias, b.Bias);
        Assert.Equal(a.Threshold, b.Threshold);
    }
}
