using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// Turns a <c>[RoutedPrompt]</c> method into an equatable <see cref="ParsedMethod"/> (symbols and syntax are used
    /// here and dropped), then resolves it against the AdditionalFiles.
    /// </summary>
    internal static class Parser
    {
        public const string AttributeMetadataName = "RoutedPrompts.RoutedPromptAttribute";

        /// <summary>The type of the one parameter a routed method passes to the router as the request's context, never into the prompt.</summary>
        public const string RouteContextMetadataName = "RoutedPrompts.RouteContext";

        /// <summary>How the generator names the files that implement routed methods.</summary>
        public const string GeneratedFileSuffix = ".RoutedPrompts.g.cs";

        /// <summary>Parses the method a <c>[RoutedPrompt]</c> attribute is applied to (the generator's entry point).</summary>
        public static ParsedMethod? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
            context.Attributes.IsDefaultOrEmpty || context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax syntax
                ? null
                : Parse(method, syntax, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken);

        /// <summary>
        /// Parses one routed method; returns <see langword="null"/> when the code is too broken to judge. Never throws but
        /// for cancellation: an unexpected failure becomes RP0199 on this method alone, so the generator still emits the
        /// project's other methods and neither the build (CS8785) nor the analyzers (AD0001) break.
        /// </summary>
        public static ParsedMethod? Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
        {
            try
            {
                return ParseMethod(method, syntax, attribute, compilation, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var location = LocationInfo.From(syntax.Identifier.GetLocation());
                return WithoutTask(null, Failure(location, method.Name, ex), location);
            }
        }

        /// <summary>A method with nothing to route: at most a stub to emit, and what to report.</summary>
        private static ParsedMethod WithoutTask(TaskModel? stub, EquatableArray<DiagnosticInfo> diagnostics, LocationInfo? methodLocation) => new()
        {
            Model = stub,
            Diagnostics = diagnostics,
            PromptFile = null,
            PromptFileLocation = null,
            SchemaFile = null,
            SchemaFileLocation = null,
            ParameterLocations = EquatableArray<LocationInfo?>.Empty,
            MethodLocation = methodLocation,
        };

        /// <summary>RP0199: what a method that could not be processed reports instead of the generator or analyzer throwing.</summary>
        internal static EquatableArray<DiagnosticInfo> Failure(LocationInfo? location, string methodName, Exception exception) =>
            new(new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalFailure, location, methodName, exception.GetType().Name + ": " + exception.Message) });

        private static ParsedMethod? ParseMethod(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
        {
            if (method.ContainingType is not { } containingType || ReadTier(attribute) is not { } tier || !CanJudge(method, containingType))
            {
                return null;
            }

            var reader = new MethodReader(method, containingType, syntax, attribute, compilation, cancellationToken);
            reader.ReadDeclaration();
            if (!reader.ReadParameters() || !reader.ReadReturnType())
            {
                return null;
            }

            return reader.IsFatal ? reader.Stub() : reader.Read(tier);
        }

        /// <summary>The attribute's tier, or <see langword="null"/> when the attribute itself does not compile (the compiler reports it).</summary>
        private static int? ReadTier(AttributeData attribute) =>
            attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length != 1 ||
            attribute.ConstructorArguments[0].Value is not int tier ||
            attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error)
                ? null
                : tier;

        /// <summary>Whether the method is sound enough to judge: what is left out here is the compiler's error to report.</summary>
        private static bool CanJudge(IMethodSymbol method, INamedTypeSymbol containingType) =>
            // A file-local type in the signature is the compiler's error (CS9051); generated code could not name it.
            !MentionsFileLocalType(method.ReturnType) && !method.Parameters.Any(p => MentionsFileLocalType(p.Type)) &&
            // A second definition with the same signature is the compiler's error (CS0111); implementing both would add more.
            !containingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(other =>
                !SymbolEqualityComparer.Default.Equals(other, method) && other.PartialDefinitionPart is null &&
                other.Parameters.Select(p => p.Type).SequenceEqual(method.Parameters.Select(p => p.Type), SymbolEqualityComparer.Default));

        /// <summary>
        /// Reads one routed method in named steps (declaration, parameters, return type, then the attribute's tiers,
        /// template, router, validators, result type and name) into a <see cref="ParsedMethod"/>; each step adds its
        /// diagnostics in the order the rules are documented.
        /// </summary>
        private sealed class MethodReader
        {
            private readonly IMethodSymbol _method;
            private readonly INamedTypeSymbol _containingType;
            private readonly MethodDeclarationSyntax _syntax;
            private readonly Compilation _compilation;
            private readonly CancellationToken _cancellationToken;
            private readonly AttributeSyntax? _attributeSyntax;
            private readonly AttributeData _attribute;
            private readonly INamedTypeSymbol? _router;
            private readonly INamedTypeSymbol? _routeContext;
            private readonly LocationInfo? _methodLocation;
            private readonly List<DiagnosticInfo> _diagnostics = new();
            private readonly List<INamedTypeSymbol> _types = new();
            private readonly List<DiagnosticInfo> _typeErrors = new();
            private readonly List<ParameterInfo> _parameters = new();
            private readonly List<LocationInfo?> _parameterLocations = new();

            // Shape errors: no routed implementation can be emitted. Where the declaration is otherwise sound (a bad return
            // or parameter type), a throwing stub still implements it, so the shape error is the build's only error there;
            // a method, type or type parameter list that is wrong cannot be implemented at all.
            private bool _fatal;
            private bool _implementable = true;
            private ReturnShape _shape;
            private ITypeSymbol? _resultType;
            private Dictionary<string, TypedConstant> _named = new();

            public MethodReader(IMethodSymbol method, INamedTypeSymbol containingType, MethodDeclarationSyntax syntax, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
            {
                _method = method;
                _containingType = containingType;
                _syntax = syntax;
                _compilation = compilation;
                _cancellationToken = cancellationToken;
                _attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                _attribute = attribute;
                _router = compilation.GetTypeByMetadataName("RoutedPrompts.PromptRouter");
                _routeContext = compilation.GetTypeByMetadataName(RouteContextMetadataName);
                _methodLocation = LocationInfo.From(syntax.Identifier.GetLocation());
            }

            /// <summary>Whether a shape error leaves nothing routed to emit (<see cref="Stub"/> then stands in).</summary>
            public bool IsFatal => _fatal || _resultType is null;

            private string MethodName => _method.Name;

            /// <summary>RP0100–RP0102, RP0120: the method and the types containing it must be partial, non-generic classes or structs.</summary>
            public void ReadDeclaration()
            {
                // The analyzers see the compilation with the generator's output, where the implementation part exists.
                var userImplementation = _method.PartialImplementationPart is { } implementation &&
                    !implementation.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(GeneratedFileSuffix, StringComparison.Ordinal));
                if (!_method.IsPartialDefinition || userImplementation || _syntax.Body is not null || _syntax.ExpressionBody is not null)
                {
                    Unimplementable(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBePartial, _methodLocation, MethodName));
                }

                for (var t = _containingType; t is not null; t = t.ContainingType)
                {
                    _types.Insert(0, t);
                }

                foreach (var type in _types)
                {
                    ReadContainingType(type);
                }

                if (_method.TypeParameters.Length > 0)
                {
                    Unimplementable(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, _methodLocation, MethodName));
                }
            }

            private void ReadContainingType(INamedTypeSymbol type)
            {
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
                {
                    Unimplementable(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, _methodLocation, type.Name, "only classes, structs and records can declare routed prompts"));
                }
                else if (type.IsFileLocal)
                {
                    Unimplementable(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, _methodLocation, type.Name, "a file-local type cannot be extended by a generated file"));
                }

                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        Unimplementable(DiagnosticInfo.Create(DiagnosticDescriptors.TypeMustBePartial, LocationInfo.From(declaration.Identifier.GetLocation()), type.Name, MethodName));
                        break;
                    }
                }

                // Reported only when the method is otherwise sound (these still let a stub implement it).
                if (type.TypeParameters.Length > 0)
                {
                    _typeErrors.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, _methodLocation, type.Name, "generic types cannot register their task descriptors"));
                }
                else if (type.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    _typeErrors.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, _methodLocation, type.Name, "it must be accessible within its assembly so the generated task registry can reach its descriptors"));
                }
            }

            private void Unimplementable(DiagnosticInfo diagnostic)
            {
                _diagnostics.Add(diagnostic);
                _fatal = true;
                _implementable = false;
            }

            /// <summary>
            /// Each parameter's role and declaration (RP0103 by reference, RP0127 a second RouteContext); <see langword="false"/>
            /// when a type does not compile.
            /// </summary>
            public bool ReadParameters()
            {
                string? context = null;
                foreach (var parameter in _method.Parameters)
                {
                    if (parameter.Type.TypeKind == TypeKind.Error)
                    {
                        return false;
                    }

                    if (parameter.RefKind != RefKind.None)
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ByRefParameter, LocationInfo.From(parameter.Locations.FirstOrDefault()), parameter.Name, MethodName));
                        _fatal = true;
                    }

                    var role = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken" ? ParameterRole.CancellationToken
                        : _router is not null && SymbolEqualityComparer.Default.Equals(parameter.Type, _router) ? ParameterRole.Router
                        : _routeContext is not null && SymbolEqualityComparer.Default.Equals(parameter.Type, _routeContext) ? ParameterRole.Context
                        : ParameterRole.Bindable;
                    if (role == ParameterRole.Context)
                    {
                        if (context is null)
                        {
                            context = parameter.Name;
                        }
                        else
                        {
                            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultipleContexts, LocationInfo.From(parameter.Locations.FirstOrDefault()), parameter.Name, MethodName, context));
                        }
                    }

                    var escaped = Formats.Identifier(parameter.Name);
                    var typeName = parameter.Type.ToDisplayString(Formats.FullyQualified);
                    var declaration = (parameter.IsParams ? "params " : string.Empty) +
                        (_method.IsExtensionMethod && parameter.Ordinal == 0 ? "this " : string.Empty) +
                        RefKindPrefix(parameter.RefKind) +
                        typeName + " " + escaped;
                    _parameters.Add(new ParameterInfo
                    {
                        Name = escaped,
                        PlainName = parameter.Name,
                        Declaration = declaration,
                        Role = role,
                        IsString = parameter.Type.SpecialType == SpecialType.System_String,
                        TypeOfName = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), // typeof() takes no nullable reference annotation
                        TypeName = typeName,
                    });
                    _parameterLocations.Add(LocationInfo.From(parameter.Locations.FirstOrDefault()));
                }

                return true;
            }

            /// <summary>
            /// Task&lt;T&gt;, ValueTask&lt;T&gt;, Task&lt;Routed&lt;T&gt;&gt; or ValueTask&lt;Routed&lt;T&gt;&gt; with T text or
            /// an object (RP0104); <see langword="false"/> when a type does not compile.
            /// </summary>
            public bool ReadReturnType()
            {
                if (_method.ReturnType.TypeKind == TypeKind.Error)
                {
                    return false;
                }

                (_shape, _resultType) = ClassifyReturnType(_method.ReturnType, _compilation);
                if (_resultType is { TypeKind: TypeKind.Error })
                {
                    return false;
                }

                if (_resultType is null || (_resultType.SpecialType != SpecialType.System_String && !JsonTypeGraphBuilder.IsObjectCandidate(_resultType)))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, LocationInfo.From(_syntax.ReturnType), MethodName, _method.ReturnType.ToDisplayString()));
                    _fatal = true;
                }

                return true;
            }

            /// <summary>What a method with a shape error gets: a model without descriptor (a throwing stub) where it can be implemented.</summary>
            public ParsedMethod Stub()
            {
                // The stub repeats the signature; a by-ref return would need more than its type.
                var stub = _implementable && _method.RefKind == RefKind.None
                    ? NewModel(string.Empty, false, null, null, null, EquatableArray<TemplatePart>.Empty, EquatableArray<JsonTypeDef>.Empty)
                    : null;
                return WithoutTask(stub, _diagnostics.ToEquatableArray(), _methodLocation);
            }

            /// <summary>The routed method: the attribute's arguments, the router, the result type and the descriptor.</summary>
            public ParsedMethod Read(int tier)
            {
                var resultType = _resultType!;
                var isText = resultType.SpecialType == SpecialType.System_String;
                _diagnostics.AddRange(_typeErrors);
                _named = _attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
                var maxTier = ReadTiers(tier);
                var confidence = ReadConfidenceThreshold();
                var (prompt, promptFile, parts, bound) = ReadTemplate();
                var (routerExpression, routerCapture) = FindRouter(_method, _containingType, _parameters, _router, _compilation, _methodLocation, _diagnostics);
                var (validatorMethod, validatorType) = ReadValidators(resultType);
                var (jsonTypes, schemaJson, converter) = isText ? (EquatableArray<JsonTypeDef>.Empty, null, null) : ReadResultType(resultType);
                var schemaFile = isText ? null : Text("Schema");
                var name = ReadName();
                CheckDerivedSchema(schemaJson, schemaFile, name, resultType);

                var descriptor = new TaskDescriptor
                {
                    Name = name,
                    Tier = tier,
                    MaxTier = maxTier,
                    Instructions = Text("Instructions"),
                    Template = prompt,
                    PromptFile = promptFile,
                    BoundParameters = bound,
                    SchemaJson = schemaJson,
                    SchemaFile = null,
                    EvalSet = Text("EvalSet"),
                    PromptHash = string.Empty, // the hashes are set by Resolve, once the template and schema files are known
                    SchemaHash = null,
                    ConfidenceThreshold = confidence,
                    ConverterName = converter,
                    ValidatorMethod = validatorMethod,
                    ValidatorType = validatorType,
                };
                var resultDisplay = resultType.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Formats.FullyQualified);
                return new ParsedMethod
                {
                    Model = NewModel(resultDisplay, isText, routerExpression, routerCapture, descriptor, parts, jsonTypes),
                    Diagnostics = _diagnostics.ToEquatableArray(),
                    PromptFile = promptFile,
                    PromptFileLocation = promptFile is null ? null : ArgumentLocation("PromptFile"),
                    SchemaFile = schemaFile,
                    SchemaFileLocation = schemaFile is null ? null : ArgumentLocation("Schema"),
                    ParameterLocations = _parameterLocations.ToEquatableArray(),
                    MethodLocation = _methodLocation,
                };
            }

            /// <summary>RP0123, RP0118: <c>Tier</c> and <c>MaxTier</c> name tiers, in order; returns the max tier.</summary>
            private int ReadTiers(int tier)
            {
                var maxTier = _named.TryGetValue("MaxTier", out var maxTierValue) && maxTierValue.Value is int m ? m : 2;
                var tierLocation = LocationInfo.From(_attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression) ?? _methodLocation;
                var outOfRange = false;
                foreach (var (argument, value, location) in new[] { ("Tier", tier, tierLocation), ("MaxTier", maxTier, ArgumentLocation("MaxTier")) })
                {
                    if (value < 0 || value >= RoutedPromptsShape.TierNames.Length)
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TierOutOfRange, location, MethodName, argument, value.ToString(CultureInfo.InvariantCulture)));
                        outOfRange = true;
                    }
                }

                if (!outOfRange && maxTier < tier)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTierRange, ArgumentLocation("MaxTier"), MethodName, TierName(tier), TierName(maxTier)));
                }

                return maxTier;
            }

            /// <summary>RP0119: a confidence threshold is a probability.</summary>
            private double? ReadConfidenceThreshold()
            {
                if (!_named.TryGetValue("ConfidenceThreshold", out var confidenceValue) || confidenceValue.Value is not double c)
                {
                    return null;
                }

                if (!(c >= 0 && c <= 1)) // NaN fails every comparison: it is out of range, not "no threshold"
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidConfidenceThreshold, ArgumentLocation("ConfidenceThreshold"), c.ToString("R", CultureInfo.InvariantCulture), MethodName));
                }

                return c;
            }

            /// <summary>
            /// RP0105, RP0107–RP0109: exactly one of <c>Prompt</c> and <c>PromptFile</c>; an inline prompt is bound here
            /// (located in the literal), a prompt file by <see cref="Resolve"/>.
            /// </summary>
            private (string Prompt, string? PromptFile, EquatableArray<TemplatePart> Parts, EquatableArray<string> Bound) ReadTemplate()
            {
                var prompt = Text("Prompt");
                var promptFile = Text("PromptFile");
                if (string.IsNullOrWhiteSpace(promptFile))
                {
                    promptFile = null;
                }

                if ((prompt is null) == (promptFile is null))
                {
                    var where = prompt is not null ? ArgumentLocation("PromptFile") : LocationInfo.From(_attributeSyntax) ?? _methodLocation;
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingTemplate, where, MethodName));
                    return (prompt ?? string.Empty, null, EquatableArray<TemplatePart>.Empty, EquatableArray<string>.Empty);
                }

                if (prompt is null)
                {
                    return (string.Empty, promptFile, EquatableArray<TemplatePart>.Empty, EquatableArray<string>.Empty);
                }

                var expression = ArgumentExpression("Prompt");
                var map = expression is null ? null : StringLiteralMap.TryCreate(expression);
                if (map is not null && map.Value != prompt)
                {
                    map = null;
                }

                var tree = expression?.SyntaxTree;
                LocationInfo? Locate(int start, int length)
                {
                    if (map is null || tree is null)
                    {
                        return ArgumentLocation("Prompt");
                    }

                    var span = map.Map(start, length);
                    return new LocationInfo { FilePath = tree.FilePath, Span = span, LineSpan = tree.GetLineSpan(span).Span };
                }

                var (parts, bound) = BindTemplate(prompt, _parameters, _parameterLocations, MethodName, Locate, _diagnostics);
                return (prompt, null, parts, bound);
            }

            /// <summary>RP0112, RP0113: <c>Validator</c> names a static predicate of the result, <c>ValidatorType</c> an <c>IResultValidator&lt;T&gt;</c>.</summary>
            private (string? Method, string? Type) ReadValidators(ITypeSymbol resultType)
            {
                var validator = Text("Validator");
                string? validatorMethod = null;
                if (validator is not null)
                {
                    var valid = _containingType.GetMembers(validator).OfType<IMethodSymbol>().Any(v =>
                        v.IsStatic && v.ReturnType.SpecialType == SpecialType.System_Boolean && v.TypeParameters.Length == 0 &&
                        v.Parameters.Length == 1 && v.Parameters[0].RefKind == RefKind.None &&
                        SymbolEqualityComparer.Default.Equals(v.Parameters[0].Type, resultType));
                    if (valid)
                    {
                        validatorMethod = Formats.Identifier(validator);
                    }
                    else
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValidator, ArgumentLocation("Validator"), validator, MethodName, resultType.ToDisplayString(), _containingType.Name));
                    }
                }

                string? validatorType = null;
                if (_named.TryGetValue("ValidatorType", out var validatorTypeValue) && validatorTypeValue.Value is INamedTypeSymbol validatorSymbol)
                {
                    var contract = _compilation.GetTypeByMetadataName("RoutedPrompts.IResultValidator`1")?.Construct(resultType);
                    var valid = contract is not null && validatorSymbol.TypeKind == TypeKind.Class && !validatorSymbol.IsAbstract &&
                        !validatorSymbol.IsUnboundGenericType && _compilation.HasImplicitConversion(validatorSymbol, contract);
                    if (valid)
                    {
                        validatorType = validatorSymbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                    }
                    else
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValidatorType, ArgumentLocation("ValidatorType"), validatorSymbol.ToDisplayString(), MethodName, resultType.ToDisplayString()));
                    }
                }

                return (validatorMethod, validatorType);
            }

            /// <summary>An object result's converters (the type graph) and its derived JSON Schema.</summary>
            private (EquatableArray<JsonTypeDef> JsonTypes, string? SchemaJson, string? Converter) ReadResultType(ITypeSymbol resultType)
            {
                var graph = new JsonTypeGraphBuilder(_compilation, MethodName, LocationInfo.From(_syntax.ReturnType), _diagnostics);
                var root = graph.Resolve(resultType, NullableAnnotation.NotAnnotated, resultType.Name, resultType.ToDisplayString());
                var jsonTypes = graph.Definitions;
                return root?.DefinitionKey is { } key && jsonTypes.Any(d => d.Key == key)
                    ? (jsonTypes, SchemaBuilder.Build(key, jsonTypes), key)
                    : (jsonTypes, null, null);
            }

            /// <summary>The task's name: <c>Name</c>, else <c>Type.Method</c> without an <c>Async</c> suffix.</summary>
            private string ReadName()
            {
                var name = Text("Name");
                if (!string.IsNullOrWhiteSpace(name))
                {
                    return name!;
                }

                var methodName = MethodName;
                return _containingType.Name + "." + (methodName.EndsWith("Async", StringComparison.Ordinal) && methodName.Length > 5 ? methodName.Substring(0, methodName.Length - 5) : methodName);
            }

            /// <summary>RP0124: a schema file replaces the derived schema (Resolve checks it); the derived one must fit what the router reads.</summary>
            private void CheckDerivedSchema(string? schemaJson, string? schemaFile, string name, ITypeSymbol resultType)
            {
                if (schemaJson is not null && schemaFile is null && RoutedTaskLimits.Depth(schemaJson, out _) is var depth && depth > RoutedTaskLimits.MaxSchemaDepth)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.SchemaUnusableAtRunTime, LocationInfo.From(_syntax.ReturnType), name,
                        "the JSON Schema derived from its result type '" + resultType.ToDisplayString() + "' nests " + depth.ToString(CultureInfo.InvariantCulture) +
                        " levels deep, more than the " + RoutedTaskLimits.MaxSchemaDepth.ToString(CultureInfo.InvariantCulture) +
                        " the router reads (each nested record adds two); flatten the result type"));
                }
            }

            private TaskModel NewModel(string resultDisplay, bool text, string? routerExpression, string? routerCapture, TaskDescriptor? descriptor, EquatableArray<TemplatePart> template, EquatableArray<JsonTypeDef> jsonTypes) => new()
            {
                Namespace = _containingType.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
                ContainingTypes = _types.Select(Declare).ToEquatableArray(),
                ContainingTypeFullName = _containingType.ToDisplayString(),
                ContainingTypeReference = _containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                MethodName = MethodName,
                FieldName = FieldName(_method),
                MethodModifiers = MethodModifiers(_syntax),
                ReturnType = _method.ReturnType.ToDisplayString(Formats.FullyQualified),
                Parameters = _parameters.ToEquatableArray(),
                Shape = _shape,
                ResultType = resultDisplay,
                IsText = text,
                RouterExpression = routerExpression,
                RouterCapture = routerCapture,
                CancellationTokenName = _parameters.FirstOrDefault(p => p.Role == ParameterRole.CancellationToken)?.Name,
                ContextName = _parameters.FirstOrDefault(p => p.Role == ParameterRole.Context)?.Name,
                HasErrors = descriptor is null,
                Descriptor = descriptor,
                Template = template,
                JsonTypes = jsonTypes,
            };

            private string? Text(string key) => _named.TryGetValue(key, out var value) ? value.Value as string : null;

            private ExpressionSyntax? ArgumentExpression(string key) =>
                _attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == key)?.Expression;

            private LocationInfo? ArgumentLocation(string key) =>
                LocationInfo.From((SyntaxNode?)ArgumentExpression(key) ?? _attributeSyntax) ?? _methodLocation;
        }

        /// <summary>
        /// Completes a parsed method with its template and schema files and decides whether it can be emitted. Never
        /// throws: an unexpected failure becomes RP0199 on this method alone.
        /// </summary>
        public static ResolvedMethod Resolve(ParsedMethod parsed, EquatableArray<AdditionalFileInfo> files)
        {
            try
            {
                return ResolveMethod(parsed, files);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new ResolvedMethod { Model = null, Diagnostics = new EquatableArray<DiagnosticInfo>(parsed.Diagnostics.Concat(Failure(parsed.MethodLocation, parsed.Model?.MethodName ?? string.Empty, ex)).ToArray()) };
            }
        }

        private static ResolvedMethod ResolveMethod(ParsedMethod parsed, EquatableArray<AdditionalFileInfo> files)
        {
            if (parsed.Model is not { Descriptor: { } descriptor } model)
            {
                return new ResolvedMethod { Model = parsed.Model, Diagnostics = parsed.Diagnostics }; // nothing to route: at most a stub to emit
            }

            var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
            var parts = model.Template;
            if (parsed.PromptFile is not null)
            {
                var file = FindFile(files, parsed.PromptFile);
                if (file is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PromptFileNotFound, parsed.PromptFileLocation, parsed.PromptFile, model.MethodName));
                }
                else
                {
                    var (fileParts, bound) = BindTemplate(file.Text, model.Parameters, parsed.ParameterLocations, model.MethodName, FileLocator(file), diagnostics);
                    parts = fileParts;
                    descriptor = descriptor with { Template = file.Text, BoundParameters = bound };
                }
            }

            if (parsed.SchemaFile is not null)
            {
                var file = FindFile(files, parsed.SchemaFile);
                if (file is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SchemaFileNotFound, parsed.SchemaFileLocation, parsed.SchemaFile, model.MethodName));
                }
                else if ((JsonSyntaxChecker.Parse(file.Text, out var schema, out var position) ?? SchemaShapeError(schema!, ref position)) is { } error)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SchemaFileInvalid, FileLocator(file)(position, 0), parsed.SchemaFile, model.MethodName, error));
                }
                else
                {
                    CheckRequiredMembers(schema!, model, parsed.SchemaFile, FileLocator(file), diagnostics);
                    CheckRunTimeLimits(file.Text, schema!, descriptor.Name, parsed.SchemaFile, FileLocator(file), diagnostics);
                    descriptor = descriptor with { SchemaJson = file.Text, SchemaFile = parsed.SchemaFile };
                }
            }

            descriptor = descriptor with
            {
                PromptHash = RoutedTaskHashing.PromptHash(descriptor.Instructions, descriptor.Template),
                SchemaHash = descriptor.SchemaJson is null ? null : RoutedTaskHashing.SchemaHash(descriptor.SchemaJson),
            };
            var hasErrors = diagnostics.Any(d => DiagnosticDescriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
            model = hasErrors
                ? model with { HasErrors = true, Descriptor = null, Template = EquatableArray<TemplatePart>.Empty, JsonTypes = EquatableArray<JsonTypeDef>.Empty }
                : model with { Descriptor = descriptor, Template = parts };
            return new ResolvedMethod { Model = model, Diagnostics = diagnostics.ToEquatableArray() };
        }

        private static readonly string[] SchemaTypes = { "object", "array", "string", "number", "integer", "boolean", "null" };

        /// <summary>What makes a JSON document unusable as the JSON Schema of a result (root, <c>type</c>, <c>properties</c>, <c>required</c>).</summary>
        private static string? SchemaShapeError(JsonNode schema, ref int position)
        {
            if (schema.Kind != JsonNodeKind.Object)
            {
                position = schema.Start;
                return "a JSON Schema must be an object";
            }

            var type = schema.Get("type");
            var types = type is null ? Array.Empty<JsonNode>() : type.Kind == JsonNodeKind.Array ? type.Items : new[] { type };
            if (types.FirstOrDefault(t => t.Kind != JsonNodeKind.String || Array.IndexOf(SchemaTypes, t.Text) < 0) is { } badType)
            {
                position = badType.Start;
                return "'type' must be one of " + string.Join(", ", SchemaTypes) + " (or an array of them)";
            }

            if (schema.Get("properties") is { Kind: not JsonNodeKind.Object } properties)
            {
                position = properties.Start;
                return "'properties' must be an object";
            }

            if (schema.Get("required") is { } required &&
                (required.Kind != JsonNodeKind.Array || required.Items.Any(r => r.Kind != JsonNodeKind.String)))
            {
                position = required.Start;
                return "'required' must be an array of property names";
            }

            return null;
        }

        /// <summary>RP0121: the schema file requires a property the result type does not serialize.</summary>
        private static void CheckRequiredMembers(JsonNode schema, TaskModel model, string schemaFile, Func<int, int, LocationInfo?> locate, List<DiagnosticInfo> diagnostics)
        {
            var root = model.JsonTypes.FirstOrDefault(t => t.Key == model.Descriptor?.ConverterName);
            if (root is null || root.IsEnum || schema.Get("required") is not { } required)
            {
                return;
            }

            foreach (var name in required.Items)
            {
                if (!root.Properties.Any(p => string.Equals(p.JsonName, name.Text, StringComparison.Ordinal)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.SchemaRequiresUnknownProperty, locate(name.Start, name.End - name.Start), schemaFile, name.Text!, model.MethodName,
                        root.TypeName.StartsWith("global::", StringComparison.Ordinal) ? root.TypeName.Substring(8) : root.TypeName));
                }
            }
        }

        /// <summary>RP0124: a schema file the router cannot read (too deep, a <c>$ref</c> it cannot follow), at the offending position.</summary>
        private static void CheckRunTimeLimits(string text, JsonNode schema, string taskName, string schemaFile, Func<int, int, LocationInfo?> locate, List<DiagnosticInfo> diagnostics)
        {
            var depth = RoutedTaskLimits.Depth(text, out var tooDeep);
            if (tooDeep >= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SchemaUnusableAtRunTime, locate(tooDeep, 1), taskName,
                    "the schema file '" + schemaFile + "' nests objects and arrays " + depth.ToString(CultureInfo.InvariantCulture) + " levels deep, more than the " +
                    RoutedTaskLimits.MaxSchemaDepth.ToString(CultureInfo.InvariantCulture) + " the router reads; flatten it, or move repeated parts under \"$defs\" and refer to them with \"$ref\""));
            }
            else if (SchemaReferences.Problem(schema, out var at) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SchemaUnusableAtRunTime, locate(at!.Start, at.End - at.Start), taskName, "the schema file '" + schemaFile + "' " + problem));
            }
        }

        private static Func<int, int, LocationInfo?> FileLocator(AdditionalFileInfo file)
        {
            var text = SourceText.From(file.Text);
            return (start, length) =>
            {
                var span = new TextSpan(Math.Min(start, file.Text.Length), Math.Max(0, Math.Min(length, file.Text.Length - start)));
                return new LocationInfo { FilePath = file.Path, Span = span, LineSpan = text.Lines.GetLinePositionSpan(span) };
            };
        }

        internal static AdditionalFileInfo? FindFile(EquatableArray<AdditionalFileInfo> files, string path) => FindFile(files, path, f => f.Path);

        /// <summary>
        /// The file a PromptFile, Schema or EvalSet argument names: the one at that path (relative paths are matched as
        /// given, without a leading <c>./</c>), else the first whose path ends with it; case-insensitive.
        /// </summary>
        internal static T? FindFile<T>(IEnumerable<T> files, string name, Func<T, string> pathOf)
            where T : class
        {
            var wanted = WantedPath(name);
            return files.FirstOrDefault(f => Matches(pathOf(f), wanted, exactly: true)) ?? files.FirstOrDefault(f => Matches(pathOf(f), wanted, exactly: false));
        }

        /// <summary>Whether <see cref="FindFile{T}"/> may pick the file at <paramref name="path"/> for <paramref name="name"/> (when no better match is found).</summary>
        internal static bool CanName(string name, string path)
        {
            var wanted = WantedPath(name);
            return Matches(path, wanted, exactly: true) || Matches(path, wanted, exactly: false);
        }

        private static string WantedPath(string name)
        {
            var wanted = NormalizePath(name);
            while (wanted.StartsWith("./", StringComparison.Ordinal))
            {
                wanted = wanted.Substring(2);
            }

            return wanted;
        }

        private static bool Matches(string path, string wanted, bool exactly) =>
            exactly ? string.Equals(path, wanted, StringComparison.OrdinalIgnoreCase) : path.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase);

        internal static string NormalizePath(string path) => path.Replace('\\', '/');

        private static (EquatableArray<TemplatePart> Parts, EquatableArray<string> Bound) BindTemplate(
            string template,
            IReadOnlyList<ParameterInfo> parameters,
            IReadOnlyList<LocationInfo?> parameterLocations,
            string methodName,
            Func<int, int, LocationInfo?> locate,
            List<DiagnosticInfo> diagnostics)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            var parts = TemplateParser.Bind(template, parameters, methodName, locate, diagnostics, used);
            for (var i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].Role == ParameterRole.Bindable && !used.Contains(parameters[i].PlainName))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedParameter, i < parameterLocations.Count ? parameterLocations[i] : null, parameters[i].PlainName, methodName));
                }
            }

            var bound = parameters.Where(p => used.Contains(p.PlainName)).Select(p => p.PlainName);
            return (parts.ToEquatableArray(), bound.ToEquatableArray());
        }

        private static (ReturnShape Shape, ITypeSymbol? Result) ClassifyReturnType(ITypeSymbol returnType, Compilation compilation)
        {
            if (returnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named)
            {
                return (ReturnShape.Task, null);
            }

            var definition = named.OriginalDefinition.ToDisplayString();
            bool isTask = definition == "System.Threading.Tasks.Task<TResult>";
            if (!isTask && definition != "System.Threading.Tasks.ValueTask<TResult>")
            {
                return (ReturnShape.Task, null);
            }

            var inner = named.TypeArguments[0];
            var routed = compilation.GetTypeByMetadataName("RoutedPrompts.Routed`1");
            if (inner is INamedTypeSymbol { IsGenericType: true } innerNamed && routed is not null &&
                SymbolEqualityComparer.Default.Equals(innerNamed.OriginalDefinition, routed))
            {
                return (isTask ? ReturnShape.TaskOfRouted : ReturnShape.ValueTaskOfRouted, innerNamed.TypeArguments[0]);
            }

            return (isTask ? ReturnShape.Task : ReturnShape.ValueTask, inner);
        }

        /// <summary>
        /// The expression of the one PromptRouter the method can reach, and the primary-constructor parameter to capture
        /// in an accessor when a parameter of the method hides it (static members are qualified with their type instead).
        /// </summary>
        private static (string? Expression, string? Capture) FindRouter(
            IMethodSymbol method,
            INamedTypeSymbol containingType,
            List<ParameterInfo> parameters,
            INamedTypeSymbol? router,
            Compilation compilation,
            LocationInfo? methodLocation,
            List<DiagnosticInfo> diagnostics)
        {
            var candidates = parameters.Where(p => p.Role == ParameterRole.Router).Select(p => (Expression: p.Name, Description: "parameter '" + p.PlainName + "'")).ToList();
            var instanceOnly = false;
            if (candidates.Count == 0 && router is not null)
            {
                for (var type = containingType; type is not null; type = type.BaseType)
                {
                    foreach (var member in type.GetMembers())
                    {
                        var memberType = member switch
                        {
                            IFieldSymbol { IsImplicitlyDeclared: false } field => field.Type,
                            IPropertySymbol { IsIndexer: false, GetMethod: not null } property => property.Type,
                            _ => null,
                        };
                        if (memberType is null || !SymbolEqualityComparer.Default.Equals(memberType, router) ||
                            (!SymbolEqualityComparer.Default.Equals(type, containingType) && !compilation.IsSymbolAccessibleWithin(member, containingType)) ||
                            candidates.Any(c => c.Description.EndsWith("'" + member.Name + "'", StringComparison.Ordinal)))
                        {
                            continue;
                        }

                        if (method.IsStatic && !member.IsStatic)
                        {
                            instanceOnly = true;
                            continue;
                        }

                        var kind = member is IFieldSymbol ? "field" : "property";
                        var owner = member.IsStatic ? containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "this";
                        candidates.Add((owner + "." + Formats.Identifier(member.Name), kind + " '" + member.Name + "'"));
                    }
                }

                if (candidates.Count == 0 && !containingType.IsRecord)
                {
                    foreach (var constructor in containingType.InstanceConstructors)
                    {
                        if (!constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
                        {
                            continue;
                        }

                        foreach (var parameter in constructor.Parameters.Where(p => SymbolEqualityComparer.Default.Equals(p.Type, router)))
                        {
                            if (method.IsStatic)
                            {
                                instanceOnly = true;
                                continue;
                            }

                            candidates.Add((Formats.Identifier(parameter.Name), "primary-constructor parameter '" + parameter.Name + "'"));
                        }
                    }
                }
            }

            if (candidates.Count == 1)
            {
                var expression = candidates[0].Expression;
                var hidden = candidates[0].Description.StartsWith("primary-constructor", StringComparison.Ordinal) &&
                    parameters.Any(p => p.Name == expression);
                return (expression, hidden ? expression : null);
            }

            if (candidates.Count == 0)
            {
                var hint = instanceOnly ? " (a static method can only use a static field or property, or a parameter)" : string.Empty;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RouterNotFound, methodLocation, method.Name, containingType.Name, hint));
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultipleRouters, methodLocation, method.Name, string.Join(", ", candidates.Select(c => c.Description))));
            }

            return (null, null);
        }

        private static string RefKindPrefix(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            RefKind.RefReadOnlyParameter => "ref readonly ",
            _ => string.Empty,
        };

        private static bool MentionsFileLocalType(ITypeSymbol type) => type switch
        {
            IArrayTypeSymbol array => MentionsFileLocalType(array.ElementType),
            INamedTypeSymbol named => named.IsFileLocal || named.TypeArguments.Any(MentionsFileLocalType) ||
                (named.ContainingType is { } outer && MentionsFileLocalType(outer)),
            _ => false,
        };

        private static TypeDeclarationInfo Declare(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            var accessibility = SyntaxFacts.GetText(type.DeclaredAccessibility);
            if (accessibility.Length > 0)
            {
                parts.Add(accessibility);
            }

            if (type.IsStatic)
            {
                parts.Add("static");
            }

            if (type.IsValueType && type.IsReadOnly)
            {
                parts.Add("readonly");
            }

            if (type.IsRefLikeType)
            {
                parts.Add("ref");
            }

            parts.Add("partial");
            parts.Add(type.IsRecord ? (type.IsValueType ? "record struct" : "record") : type.IsValueType ? "struct" : "class");
            var name = Formats.Identifier(type.Name) + (type.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">");
            var hint = type.TypeParameters.Length == 0 ? type.Name : type.Name + "_" + type.TypeParameters.Length.ToString(CultureInfo.InvariantCulture);
            return new TypeDeclarationInfo { Declaration = string.Join(" ", parts), Name = name, HintName = hint };
        }

        /// <summary>The descriptor field's name; overloaded routed methods get their position as a suffix.</summary>
        private static string FieldName(IMethodSymbol method)
        {
            var overloads = method.ContainingType.GetMembers(method.Name)
                .OfType<IMethodSymbol>()
                .Where(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeMetadataName))
                .ToList();
            var name = "__RoutedPrompt_" + method.Name;
            return overloads.Count > 1
                ? name + "_" + overloads.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method)).ToString(CultureInfo.InvariantCulture)
                : name;
        }

        private static string MethodModifiers(MethodDeclarationSyntax syntax) =>
            string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword) && !m.IsKind(SyntaxKind.AsyncKeyword)).Select(m => m.Text));

        private static string TierName(int tier) => tier >= 0 && tier < RoutedPromptsShape.TierNames.Length ? RoutedPromptsShape.TierNames[tier] : tier.ToString(CultureInfo.InvariantCulture);
    }
}
