using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

#nullable enable

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// A lock entry's <c>classifier</c> (docs/file-formats.md) as the build reads it: the start-tier classifier's model,
    /// or why it is off, or what is wrong with the object. The one reader of the object: the generator bakes a
    /// <see cref="IsBakeable"/> one, the eval tool refuses a malformed one (<see cref="Problem"/>) and reports the rest.
    /// </summary>
    internal sealed class LockClassifier : IEquatable<LockClassifier>
    {
        private static readonly string[] LengthFields = { "lengthWeights", "lengthMeans", "lengthScales" };

        private LockClassifier()
        {
        }

        /// <summary><c>off</c>: why calibration left the classifier off, or <see langword="null"/> for a model.</summary>
        public string? Off { get; private set; }

        /// <summary>What is wrong with the object (naming the field, from <c>classifier</c> on), or <see langword="null"/>.</summary>
        public string? Problem { get; private set; }

        /// <summary><c>features</c>: the feature definition's version.</summary>
        public int FeaturesVersion { get; private set; }

        /// <summary><c>bucketBits</c>: 2^bits n-gram buckets.</summary>
        public int BucketBits { get; private set; }

        /// <summary><c>bias</c>.</summary>
        public double Bias { get; private set; }

        /// <summary>The keys of <c>weights</c>, ascending.</summary>
        public int[] Indices { get; private set; } = new int[0];

        /// <summary>The values of <c>weights</c>, in the order of <see cref="Indices"/>.</summary>
        public double[] Weights { get; private set; } = new double[0];

        /// <summary><c>lengthWeights</c>.</summary>
        public double[] LengthWeights { get; private set; } = new double[0];

        /// <summary><c>lengthMeans</c>.</summary>
        public double[] LengthMeans { get; private set; } = new double[0];

        /// <summary><c>lengthScales</c>.</summary>
        public double[] LengthScales { get; private set; } = new double[0];

        /// <summary><c>threshold</c>: below this probability a request starts one tier higher.</summary>
        public double Threshold { get; private set; }

        /// <summary><c>reason</c>: why calibration turned it on (the cross-validated numbers), or <see langword="null"/>.</summary>
        public string? Reason { get; private set; }

        /// <summary>Whether it is a well-formed model of the feature version this build computes (only such a classifier is baked).</summary>
        public bool IsBakeable => Off is null && Problem is null && Unsupported is null;

        /// <summary>Why a well-formed model is not baked (its feature version is unknown here), or <see langword="null"/>.</summary>
        public string? Unsupported => Off is null && Problem is null && FeaturesVersion != ClassifierFeatures.Version
            ? "classifier.features is " + FeaturesVersion.ToString(CultureInfo.InvariantCulture) + ", a feature definition this version of RoutedPrompts does not compute (it computes " +
              ClassifierFeatures.Version.ToString(CultureInfo.InvariantCulture) + "), so it is not baked; recalibrate the task"
            : null;

        /// <summary>Reads the object (<see langword="null"/> when the entry has none).</summary>
        public static LockClassifier? Read(JsonNode? node)
        {
            if (node is null || node.Kind == JsonNodeKind.Null)
            {
                return null;
            }

            var result = new LockClassifier();
            if (node.Kind != JsonNodeKind.Object)
            {
                return result.Fail("classifier must be an object: the model, or { \"off\": \"<why>\" }");
            }

            if (node.Get("off") is { } off)
            {
                if (off.Kind != JsonNodeKind.String || string.IsNullOrWhiteSpace(off.Text))
                {
                    return result.Fail("classifier.off must be a string saying why the classifier is off");
                }

                result.Off = off.Text;
                return result;
            }

            if (Integer(node.Get("features")) is not { } features)
            {
                return result.Fail("classifier.features is missing or not an integer (the feature definition's version)");
            }

            if (Integer(node.Get("bucketBits")) is not { } bits || bits < ClassifierFeatures.MinBucketBits || bits > ClassifierFeatures.MaxBucketBits)
            {
                return result.Fail("classifier.bucketBits must be an integer from " + ClassifierFeatures.MinBucketBits.ToString(CultureInfo.InvariantCulture) + " to " + ClassifierFeatures.MaxBucketBits.ToString(CultureInfo.InvariantCulture));
            }

            if (Finite(node.Get("bias")) is not { } bias)
            {
                return result.Fail("classifier.bias is missing or not a finite number");
            }

            if (node.Get("weights") is not { Kind: JsonNodeKind.Object } weights)
            {
                return result.Fail("classifier.weights must be an object of weights by bucket number ({ \"1234\": 0.5 })");
            }

            var pairs = new List<KeyValuePair<int, double>>();
            foreach (var weight in weights.Properties)
            {
                if (!int.TryParse(weight.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= 1L << (int)bits)
                {
                    return result.Fail("classifier.weights has the key \"" + weight.Key + "\", which is not a bucket number (an integer from 0 to 2^bucketBits - 1)");
                }

                if (Finite(weight.Value) is not { } value)
                {
                    return result.Fail("classifier.weights." + weight.Key + " is not a finite number");
                }

                if (pairs.Any(p => p.Key == index))
                {
                    return result.Fail("classifier.weights." + weight.Key + " is given twice");
                }

                pairs.Add(new KeyValuePair<int, double>(index, value));
            }

            var lengths = new double[LengthFields.Length][];
            for (var f = 0; f < LengthFields.Length; f++)
            {
                var field = node.Get(LengthFields[f]);
                if (field is not { Kind: JsonNodeKind.Array } || field.Items.Count != ClassifierFeatures.LengthCount)
                {
                    return result.Fail("classifier." + LengthFields[f] + " must be an array of " + ClassifierFeatures.LengthCount.ToString(CultureInfo.InvariantCulture) + " numbers (one per length feature)");
                }

                lengths[f] = new double[ClassifierFeatures.LengthCount];
                for (var i = 0; i < ClassifierFeatures.LengthCount; i++)
                {
                    if (Finite(field.Items[i]) is not { } value || (f == 2 && !(value > 0)))
                    {
                        return result.Fail("classifier." + LengthFields[f] + "[" + i.ToString(CultureInfo.InvariantCulture) + "] must be a finite number" + (f == 2 ? " above 0" : string.Empty));
                    }

                    lengths[f][i] = value;
                }
            }

            if (Finite(node.Get("threshold")) is not { } threshold || threshold < 0 || threshold > 1)
            {
                return result.Fail("classifier.threshold must be a number from 0 to 1");
            }

            var reason = node.Get("reason");
            if (reason is not null && reason.Kind != JsonNodeKind.String)
            {
                return result.Fail("classifier.reason must be a string");
            }

            pairs.Sort((a, b) => a.Key.CompareTo(b.Key));
            result.FeaturesVersion = (int)features;
            result.BucketBits = (int)bits;
            result.Bias = bias;
            result.Indices = pairs.Select(p => p.Key).ToArray();
            result.Weights = pairs.Select(p => p.Value).ToArray();
            result.LengthWeights = lengths[0];
            result.LengthMeans = lengths[1];
            result.LengthScales = lengths[2];
            result.Threshold = threshold;
            result.Reason = reason?.Text;
            return result;
        }

        public bool Equals(LockClassifier? other) =>
            other is not null && Off == other.Off && Problem == other.Problem && FeaturesVersion == other.FeaturesVersion && BucketBits == other.BucketBits &&
            Bias.Equals(other.Bias) && Threshold.Equals(other.Threshold) && Reason == other.Reason && Indices.SequenceEqual(other.Indices) &&
            Weights.SequenceEqual(other.Weights) && LengthWeights.SequenceEqual(other.LengthWeights) && LengthMeans.SequenceEqual(other.LengthMeans) &&
            LengthScales.SequenceEqual(other.LengthScales);

        public override bool Equals(object? obj) => Equals(obj as LockClassifier);

        public override int GetHashCode() => (Indices.Length * 31) + Threshold.GetHashCode();

        private LockClassifier Fail(string problem)
        {
            Problem = problem;
            return this;
        }

        private static double? Finite(JsonNode? node) =>
            node is not null && node.IsNumber(out var value) && !double.IsNaN(value) && !double.IsInfinity(value) ? value : null;

        private static long? Integer(JsonNode? node) =>
            node is { Kind: JsonNodeKind.Number } && long.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
