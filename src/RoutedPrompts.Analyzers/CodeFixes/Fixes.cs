using System.Collections.Immutable;
using System.Composition;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Analyzers.CodeFixes
{
    /// <summary>RP0001: creates <c>evals/&lt;TaskName&gt;.jsonl</c> with one example row and sets <c>EvalSet</c>.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddEvalSetFix)), Shared]
    public sealed class AddEvalSetFix : RoutedFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Rules.NoEvalSet.Id);

        protected override string Title => "Add an eval set";

        protected override Task<bool> CanFixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            Task.FromResult(node.FirstAncestorOrSelf<AttributeSyntax>() is not null &&
                diagnostic.Properties.ContainsKey(RoutedPromptsAnalyzer.EvalSetPathProperty));

        protected override async Task<Solution> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var path = diagnostic.Properties[RoutedPromptsAnalyzer.EvalSetPathProperty]!;
            var row = diagnostic.Properties.TryGetValue(RoutedPromptsAnalyzer.ExampleRowProperty, out var example) ? example : null;
            var attribute = node.FirstAncestorOrSelf<AttributeSyntax>()!;
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("EvalSet")),
                null,
                SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(path)));
            var arguments = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            var solution = document.WithSyntaxRoot(root.ReplaceNode(attribute, attribute.WithArgumentList(arguments.AddArguments(argument)))).Project.Solution;

            var project = solution.GetProject(document.Project.Id)!;
            var folders = path.Split('/');
            var directory = Path.GetDirectoryName(project.FilePath ?? document.FilePath ?? string.Empty) ?? string.Empty;
            var filePath = Path.Combine(new[] { directory }.Concat(folders).ToArray());
            if (project.AdditionalDocuments.Any(d => Parser.NormalizePath(d.FilePath ?? d.Name).EndsWith(path, System.StringComparison.OrdinalIgnoreCase)))
            {
                return solution;
            }

            return project.AddAdditionalDocument(
                folders[folders.Length - 1],
                SourceText.From((row ?? "{\"inputs\": {}, \"expected\": \"\"}") + "\n", System.Text.Encoding.UTF8),
                folders.Take(folders.Length - 1),
                filePath).Project.Solution;
        }
    }

    /// <summary>RP0100, RP0101: makes the method (without a body) or the containing type partial.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialFix)), Shared]
    public sealed class MakePartialFix : RoutedFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.MethodMustBePartial.Id, DiagnosticDescriptors.TypeMustBePartial.Id);

        protected override string Title => "Make partial";

        protected override Task<bool> CanFixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostic.Id == DiagnosticDescriptors.TypeMustBePartial.Id
                ? node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type && !type.Modifiers.Any(SyntaxKind.PartialKeyword)
                : node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method &&
                  (!method.Modifiers.Any(SyntaxKind.PartialKeyword) || method.Body is not null || method.ExpressionBody is not null));

        protected override async Task<Solution> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            SyntaxNode original;
            SyntaxNode fixedNode;
            if (diagnostic.Id == DiagnosticDescriptors.TypeMustBePartial.Id)
            {
                var type = node.FirstAncestorOrSelf<TypeDeclarationSyntax>()!;
                original = type;
                fixedNode = type.WithModifiers(WithPartial(type.Modifiers, type.Keyword, out var keyword)).WithKeyword(keyword);
            }
            else
            {
                var method = node.FirstAncestorOrSelf<MethodDeclarationSyntax>()!;
                original = method;
                var modifiers = SyntaxFactory.TokenList(method.Modifiers.Where(m => !m.IsKind(SyntaxKind.AsyncKeyword)));
                var returnType = method.ReturnType;
                if (!modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    var first = returnType.GetFirstToken();
                    modifiers = WithPartial(modifiers, first, out var moved);
                    returnType = returnType.ReplaceToken(first, moved);
                }

                fixedNode = method.WithModifiers(modifiers).WithReturnType(returnType)
                    .WithBody(null).WithExpressionBody(null)
                    .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(
                        (method.Body?.GetTrailingTrivia() ?? method.SemicolonToken.TrailingTrivia)));
            }

            return document.WithSyntaxRoot(root.ReplaceNode(original, fixedNode)).Project.Solution;
        }

        /// <summary>Appends <c>partial</c> (it must be the last modifier), moving the leading trivia when there were none.</summary>
        private static SyntaxTokenList WithPartial(SyntaxTokenList modifiers, SyntaxToken next, out SyntaxToken nextWithoutTrivia)
        {
            var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            if (modifiers.Count == 0)
            {
                nextWithoutTrivia = next.WithLeadingTrivia();
                return SyntaxFactory.TokenList(partial.WithLeadingTrivia(next.LeadingTrivia));
            }

            nextWithoutTrivia = next;
            return modifiers.Add(partial);
        }
    }

    /// <summary>RP0107: adds a <c>string</c> parameter named after an unknown placeholder of an inline prompt.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddParameterFix)), Shared]
    public sealed class AddParameterFix : RoutedFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnknownPlaceholder.Id);

        protected override string Title => "Add a parameter for the placeholder";

        protected override Task<bool> CanFixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            Task.FromResult(
                diagnostic.Properties.TryGetValue(RoutedPromptsAnalyzer.PlaceholderProperty, out var name) && name is not null &&
                SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None &&
                node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method &&
                !method.ParameterList.Parameters.Any(p => p.Identifier.ValueText == name));

        protected override async Task<Solution> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var name = diagnostic.Properties[RoutedPromptsAnalyzer.PlaceholderProperty]!;
            var method = node.FirstAncestorOrSelf<MethodDeclarationSyntax>()!;
            var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(name)).WithType(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.StringKeyword)));
            var parameters = method.ParameterList.Parameters;

            // Before the parameters that are not rendered (CancellationToken, PromptRouter, RouteContext), so optional ones stay last.
            var index = parameters.IndexOf(p => p.Type is { } t && IsNotRendered((t as NullableTypeSyntax)?.ElementType ?? t));
            parameters = index < 0 ? parameters.Add(parameter) : parameters.Insert(index, parameter);
            var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            return document.WithSyntaxRoot(root.ReplaceNode(method, method.WithParameterList(method.ParameterList.WithParameters(parameters)))).Project.Solution;
        }

        private static bool IsNotRendered(TypeSyntax type) =>
            type.ToString() is var name && (name.EndsWith("CancellationToken", System.StringComparison.Ordinal) ||
            name.EndsWith("PromptRouter", System.StringComparison.Ordinal) || name.EndsWith("RouteContext", System.StringComparison.Ordinal));
    }

    /// <summary>RP0110: adds a <c>PromptRouter router</c> primary-constructor parameter to the containing type.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddRouterFix)), Shared]
    public sealed class AddRouterFix : RoutedFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.RouterNotFound.Id);

        protected override string Title => "Add a PromptRouter primary-constructor parameter";

        protected override async Task<bool> CanFixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (node.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method || method.Modifiers.Any(SyntaxKind.StaticKeyword) ||
                method.Parent is not (ClassDeclarationSyntax or StructDeclarationSyntax or RecordDeclarationSyntax) ||
                method.Parent is TypeDeclarationSyntax { ParameterList.Parameters: var existing } && existing.Any(IsRouter))
            {
                return false;
            }

            // A primary constructor would force every explicit constructor to chain to it: leave those types to the user.
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            return model?.GetDeclaredSymbol((TypeDeclarationSyntax)method.Parent, cancellationToken) is INamedTypeSymbol type &&
                !type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is ConstructorDeclarationSyntax));
        }

        protected override async Task<Solution> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var type = (TypeDeclarationSyntax)node.FirstAncestorOrSelf<MethodDeclarationSyntax>()!.Parent!;
            var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier("router"))
                .WithType(SyntaxFactory.ParseTypeName("global::RoutedPrompts.PromptRouter").WithAdditionalAnnotations(Simplifier.Annotation));
            TypeDeclarationSyntax fixedType;
            if (type.ParameterList is { } list)
            {
                fixedType = type.WithParameterList(list.AddParameters(parameter));
            }
            else
            {
                // (PromptRouter router) goes right after the name (and type parameters), before the base list or brace.
                var before = type.TypeParameterList?.GetLastToken() ?? type.Identifier;
                var trailing = before.TrailingTrivia;
                fixedType = type.ReplaceToken(before, before.WithTrailingTrivia())
                    .WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SingletonSeparatedList(parameter)).WithTrailingTrivia(trailing));
            }

            var root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            return document.WithSyntaxRoot(root.ReplaceNode(type, fixedType)).Project.Solution;
        }

        private static bool IsRouter(ParameterSyntax parameter) => parameter.Type?.ToString().EndsWith("PromptRouter", System.StringComparison.Ordinal) == true;
    }
}
