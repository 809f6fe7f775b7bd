using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace RoutedPrompts.Analyzers.CodeFixes
{
    /// <summary>
    /// A code fix that changes the solution from the syntax node a diagnostic is on. Fix-all applies the fixes one after
    /// another, finding each node again through an annotation, so fixes that add files or edit shared declarations (a
    /// type's header) compose instead of conflicting.
    /// </summary>
    public abstract class RoutedFix : CodeFixProvider
    {
        /// <summary>The code action's title and equivalence key.</summary>
        protected abstract string Title { get; }

        /// <summary>Whether fix-all is offered.</summary>
        protected virtual bool SupportsFixAll => true;

        /// <inheritdoc />
        public sealed override FixAllProvider? GetFixAllProvider() => SupportsFixAll ? new SequentialFixAll(this) : null;

        /// <inheritdoc />
        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Location.IsInSource || root is null)
                {
                    continue;
                }

                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (await CanFixAsync(context.Document, node, diagnostic, context.CancellationToken).ConfigureAwait(false))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(Title, ct => FixAsync(context.Document, node, diagnostic, ct), Title),
                        diagnostic);
                }
            }
        }

        /// <summary>Whether this diagnostic can be fixed mechanically.</summary>
        protected virtual Task<bool> CanFixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        /// <summary>The fixed solution; <paramref name="node"/> is the node the diagnostic is on, in <paramref name="document"/>.</summary>
        protected abstract Task<Solution> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken);

        private sealed class SequentialFixAll : FixAllProvider
        {
            private readonly RoutedFix _fix;

            public SequentialFixAll(RoutedFix fix) => _fix = fix;

            public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
                new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

            public override async Task<CodeAction?> GetFixAsync(FixAllContext context)
            {
                var documents = context.Scope switch
                {
                    FixAllScope.Document when context.Document is not null => new[] { context.Document },
                    FixAllScope.Project => context.Project.Documents.ToArray(),
                    FixAllScope.Solution => context.Solution.Projects.SelectMany(p => p.Documents).ToArray(),
                    _ => Array.Empty<Document>(),
                };
                var work = new List<(DocumentId Document, ImmutableArray<Diagnostic> Diagnostics)>();
                foreach (var document in documents)
                {
                    var diagnostics = await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
                    if (!diagnostics.IsEmpty)
                    {
                        work.Add((document.Id, diagnostics));
                    }
                }

                return CodeAction.Create(_fix.Title, ct => ApplyAsync(context.Solution, work, ct), _fix.Title);
            }

            private async Task<Solution> ApplyAsync(Solution solution, List<(DocumentId Document, ImmutableArray<Diagnostic> Diagnostics)> work, CancellationToken cancellationToken)
            {
                foreach (var (documentId, diagnostics) in work)
                {
                    // Mark every target first: earlier fixes move the spans of later ones.
                    var document = solution.GetDocument(documentId)!;
                    var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
                    var targets = diagnostics
                        .Where(d => d.Location.IsInSource)
                        .Select(d => (Diagnostic: d, Node: root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true), Annotation: new SyntaxAnnotation()))
                        .ToList();
                    var annotations = new Dictionary<SyntaxNode, List<SyntaxAnnotation>>();
                    foreach (var target in targets)
                    {
                        if (!annotations.TryGetValue(target.Node, out var list))
                        {
                            annotations[target.Node] = list = new List<SyntaxAnnotation>();
                        }

                        list.Add(target.Annotation);
                    }

                    root = root.ReplaceNodes(annotations.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(annotations[original]));
                    solution = solution.WithDocumentSyntaxRoot(documentId, root);
                    foreach (var target in targets)
                    {
                        document = solution.GetDocument(documentId)!;
                        root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
                        var node = root.GetAnnotatedNodes(target.Annotation).FirstOrDefault();
                        if (node is not null && await _fix.CanFixAsync(document, node, target.Diagnostic, cancellationToken).ConfigureAwait(false))
                        {
                            solution = await _fix.FixAsync(document, node, target.Diagnostic, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                return solution;
            }
        }
    }
}
