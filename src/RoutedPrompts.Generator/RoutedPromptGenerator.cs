using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>
    /// Emits the bodies of <c>[RoutedPrompt]</c> partial methods, their task descriptors, reflection-free JSON converters
    /// for their result types, and the assembly's task registry.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RoutedPromptGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.AttributeMetadataName,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .Where(static m => m is not null)
                .Select(static (m, _) => m!)
                .WithTrackingName(TrackingNames.Parse);

            // The lock file is its own input, projected to its per-task entries: editing it never re-resolves a task,
            // and only a task whose entry changed gets a different model (and so a re-emitted file).
            // Which files count is ProjectFileSelection's rule, as the analyzers apply it; a file's place in it depends on
            // no file of another name, so the lock file and the other files select apart.
            var lockEntries = context.AdditionalTextsProvider
                .Where(static file => LockFile.IsLockFile(file.Path))
                .Select(static (file, ct) => SelectionInput(file, ct))
                .Collect()
                .Select(static (all, _) => LockBaker.Entries(ProjectFileSelection.Select(all).Lock))
                .WithTrackingName(TrackingNames.LockFile);

            // Each file is matched by name against the names the tasks use, on its own and before it is read, so a file no
            // task names (routedprompts.json, any other AdditionalFile) is never read, an eval set never reaches Resolve,
            // and an eval set's text is not kept: only its hash is.
            var fileNames = parsed
                .Collect()
                .Select(static (all, _) => ProjectFileNames.Of(all))
                .WithTrackingName(TrackingNames.FileNames);
            var namedFiles = context.AdditionalTextsProvider
                .Where(static file => !LockFile.IsLockFile(file.Path))
                .Select(static (file, _) => (File: file, Path: Parser.NormalizePath(file.Path)))
                .Combine(fileNames);

            var templateFiles = namedFiles
                .Where(static pair => pair.Right.NamesTemplate(pair.Left.Path))
                .Select(static (pair, ct) => SelectionInput(pair.Left.File, ct))
                .Collect()
                .Select(static (all, _) => ProjectFileSelection.Select(all).Files.Select(f => new AdditionalFileInfo { Path = f.Path, Text = f.Text }).ToEquatableArray())
                .WithTrackingName(TrackingNames.TemplateFiles);

            var resolved = parsed
                .Combine(templateFiles)
                .Select(static (pair, _) => Parser.Resolve(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Resolve);

            // Eval sets are projected to (path, hash), file by file, before they meet the tasks: editing one re-hashes it
            // alone, and only the tasks that name it get another eval-set hash (and so are baked again).
            var evalSets = namedFiles
                .Where(static pair => pair.Right.NamesEvalSet(pair.Left.Path))
                .Select(static (pair, ct) => (pair.Left.Path, Hash: SelectionInput(pair.Left.File, ct).Text is { } text ? RoutedTaskHashing.EvalSetHash(text) : null))
                .Collect()
                // Which eval sets count is ProjectFileSelection's rule (an unreadable file or a repeated path does not),
                // which needs of each file only its path and whether it was read: here its hash stands for its text.
                .Select(static (all, _) => ProjectFileSelection.Select(all).Files.Select(f => new EvalSetFile { Path = f.Path, Hash = f.Text }).ToEquatableArray())
                .WithTrackingName(TrackingNames.EvalSets);

            // Diagnostics are the analyzers' job (RoutedPrompts.Analyzers runs the same Parser), but for the shapes the
            // generator cannot implement: such a method leaves the compiler a declaration error (CS0501, CS0751, CS8795),
            // after which the command-line compiler reports no analyzer diagnostic, while a generator's diagnostics are
            // reported before it stops. The equatable DiagnosticInfo is cached; only the last step, which turns it into a
            // source location (so code fixes apply), sees the compilation, and it has nothing to do for a sound project.
            var shapeErrors = resolved
                .Select(static (r, _) => r.Diagnostics.Where(d => DiagnosticDescriptors.IsReportedByGenerator(d.Id)).ToEquatableArray())
                .WithTrackingName(TrackingNames.ShapeErrors);
            context.RegisterSourceOutput(shapeErrors.Collect().Combine(context.CompilationProvider), static (spc, pair) =>
            {
                foreach (var diagnostic in pair.Left.SelectMany(d => d))
                {
                    spc.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                }
            });

            var toBake = resolved
                .Where(static r => r.Model is not null)
                .Combine(evalSets)
                .Select(static (pair, _) => TaskToBake.Of(pair.Left.Model!, pair.Right))
                .WithTrackingName(TrackingNames.EvalSet);

            var models = toBake
                .Combine(lockEntries)
                .Select(static (pair, _) => LockBaker.Bake(pair.Left.Model, pair.Left.EvalSetHash, pair.Right))
                .WithTrackingName(TrackingNames.Models);

            var all = models
                .Collect()
                .Select(static (list, _) => list.ToEquatableArray())
                .WithTrackingName(TrackingNames.AllModels);

            var typeFiles = all
                .SelectMany(static (list, _) => GroupByType(list))
                .WithTrackingName(TrackingNames.TypeFiles);
            context.RegisterSourceOutput(typeFiles, static (spc, file) =>
                spc.AddSource(file.HintName + Parser.GeneratedFileSuffix, Emitter.EmitTypeFile(file)));

            var converters = all
                .SelectMany(static (list, _) => DistinctJsonTypes(list))
                .WithTrackingName(TrackingNames.Converters);
            context.RegisterSourceOutput(converters, static (spc, type) =>
                spc.AddSource("RoutedPrompts.Generated." + type.Key + ".g.cs", Emitter.EmitConverter(type)));

            var hasModuleInitializer = context.CompilationProvider
                .Select(static (c, _) => c.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is not null)
                .WithTrackingName(TrackingNames.ModuleInitializer);

            var registry = all
                .Combine(hasModuleInitializer)
                .Select(static (pair, _) => new RegistryModel(
                    pair.Left.Where(m => m.Descriptor is not null)
                        .OrderBy(m => m.Descriptor!.Name, System.StringComparer.Ordinal)
                        .Select(m => m.ContainingTypeReference + "." + m.FieldName)
                        .ToEquatableArray(),
                    pair.Right))
                .WithTrackingName(TrackingNames.Registry);
            context.RegisterSourceOutput(registry, static (spc, model) =>
            {
                if (!model.Descriptors.IsEmpty)
                {
                    spc.AddSource("RoutedPrompts.Generated.RoutedTaskRegistry.g.cs", Emitter.EmitRegistry(model));
                }
            });
        }

        /// <summary>An AdditionalFile as <see cref="ProjectFileSelection.Select"/> takes it: an equatable path and text (<see langword="null"/> when unreadable).</summary>
        private static (string Path, string? Text) SelectionInput(AdditionalText file, System.Threading.CancellationToken cancellationToken) =>
            (Parser.NormalizePath(file.Path), file.GetText(cancellationToken)?.ToString());

        private static ImmutableArray<TypeFileModel> GroupByType(EquatableArray<TaskModel> models) =>
            models
                .GroupBy(m => m.HintName, System.StringComparer.Ordinal)
                .Select(g => new TypeFileModel(g.Key, g.First().Namespace, g.First().ContainingTypes, g.ToEquatableArray()))
                .ToImmutableArray();

        private static ImmutableArray<JsonTypeDef> DistinctJsonTypes(EquatableArray<TaskModel> models)
        {
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            return models.SelectMany(m => m.JsonTypes).Where(t => seen.Add(t.Key)).ToImmutableArray();
        }
    }
}
