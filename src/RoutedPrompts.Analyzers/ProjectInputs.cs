using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Analyzers
{
    /// <summary>
    /// What the analyzers read once per compilation: the AdditionalFiles (as the shared parser's
    /// <see cref="AdditionalFileInfo"/>s), <c>routedprompts.json</c>, <c>routedprompts.lock.json</c> and the project-wide
    /// options. Immutable after construction, so the concurrent method callbacks share it freely.
    /// </summary>
    internal sealed class ProjectInputs
    {
        public const string MinEvalExamplesKey = "routedprompts.min_eval_examples";
        public const string MaxFallbackPriceRatioKey = "routedprompts.max_fallback_price_ratio";
        public const string EvalRulesAsErrorsKey = "build_property.RoutedPromptsEvalRulesAsErrors";
        public const int DefaultMinEvalExamples = 50;
        public const double DefaultMaxFallbackPriceRatio = 4;

        /// <summary>At most this many unusable rows are reported per eval set.</summary>
        public const int MaxRowDiagnostics = 10;

        private readonly Dictionary<string, AdditionalText> _originals = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SourceText> _texts = new(StringComparer.Ordinal);

        public ProjectInputs(AnalyzerOptions options, CancellationToken cancellationToken)
        {
            var additional = options.AdditionalFiles;
            var read = new List<(string Path, string? Text)>(additional.Length);
            var sources = new SourceText?[additional.Length];
            for (var i = 0; i < additional.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sources[i] = additional[i].GetText(cancellationToken);
                read.Add((Parser.NormalizePath(additional[i].Path), sources[i]?.ToString()));
            }

            Selection = ProjectFileSelection.Select(read);
            foreach (var file in Selection.Files)
            {
                _originals[file.Path] = additional[file.Index];
                _texts[file.Path] = sources[file.Index]!;
            }

            Files = Selection.Files.Select(f => new AdditionalFileInfo { Path = f.Path, Text = f.Text }).ToEquatableArray();
            var global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
            EvalRulesAsErrors = global.TryGetValue(EvalRulesAsErrorsKey, out var asErrors) && string.Equals(asErrors.Trim(), "true", StringComparison.OrdinalIgnoreCase);

            if (Selection.Manifest is { } manifest)
            {
                ConfigFile = new AdditionalFileInfo { Path = manifest.Path, Text = manifest.Text };
                ConfigText = _originals[manifest.Path];
                Config = RoutedPromptsManifest.Read(manifest.Text, out var error, out var position);
                if (error is not null)
                {
                    ConfigError = (error, position);
                }
            }

            if (Selection.Lock is { } lockFile)
            {
                Lock = LockFile.Read(lockFile.Text);
            }
        }

        /// <summary>Which AdditionalFiles count (the generator selects the same way).</summary>
        public ProjectFileSelection Selection { get; }

        public EquatableArray<AdditionalFileInfo> Files { get; }

        public bool EvalRulesAsErrors { get; }

        public AdditionalFileInfo? ConfigFile { get; }

        /// <summary>The AdditionalFile <see cref="ConfigFile"/> was read from (for its .editorconfig options).</summary>
        public AdditionalText? ConfigText { get; }

        public RoutedPromptsManifest? Config { get; }

        public (string Message, int Position)? ConfigError { get; }

        public IReadOnlyDictionary<string, LockEntry>? Lock { get; }

        /// <summary>The file a path names (as the generator resolves PromptFile and Schema), or <see langword="null"/>.</summary>
        public AdditionalFileInfo? Find(string path) => Parser.FindFile(Files, path);

        /// <summary>A location inside an AdditionalFile, under the path the project gave it.</summary>
        public Location FileLocation(AdditionalFileInfo file, int start, int length)
        {
            var text = _texts[file.Path];
            start = Math.Max(0, Math.Min(start, text.Length));
            var span = new TextSpan(start, Math.Max(0, Math.Min(length, text.Length - start)));
            return Location.Create(_originals[file.Path].Path, span, text.Lines.GetLinePositionSpan(span));
        }

        /// <summary>
        /// The path an AdditionalFile was given to the compiler with (<see cref="LocationInfo"/> normalizes separators), for
        /// <see cref="DiagnosticInfo.ToDiagnostic"/>; <see langword="null"/> for a source file.
        /// </summary>
        public string? ExternalPath(LocationInfo info) => _originals.TryGetValue(info.FilePath, out var original) ? original.Path : null;

        /// <summary>An option from the .editorconfig sections that apply to a file, else from the global options.</summary>
        public static string? Option(AnalyzerOptions options, AnalyzerConfigOptions file, string key) =>
            file.TryGetValue(key, out var value) || options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(key, out value) ? value : null;

        public static int MinEvalExamples(AnalyzerOptions options, SyntaxTree tree) =>
            int.TryParse(Option(options, options.AnalyzerConfigOptionsProvider.GetOptions(tree), MinEvalExamplesKey)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : DefaultMinEvalExamples;

        public static double MaxFallbackPriceRatio(AnalyzerOptions options, AdditionalText file) =>
            double.TryParse(Option(options, options.AnalyzerConfigOptionsProvider.GetOptions(file), MaxFallbackPriceRatioKey)?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 1
                ? value
                : DefaultMaxFallbackPriceRatio;
    }
}
