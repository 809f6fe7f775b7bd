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

        /// <summary>How the generator names the files that implement routed methods.</summary>
        public const string GeneratedFileSuffix = ".RoutedPrompts.g.cs";

        private static readonly string[] TierNames = { "Small", "Medium", "Large" };

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
                return new ParsedMethod(null, Failure(location, method.Name, ex), null, null, null, null, EquatableArray<LocationInfo?>.Empty, location);
            }
        }

        /// <summary>RP0199: what a method that could not be processed reports instead of the generator or analyzer throwing.</summary>
        internal static EquatableArray<DiagnosticInfo> Failure(LocationInfo? location, string methodName, Exception exception) =>
            new(new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalFailure, location, methodName, exception.GetType().Name + ": " + exception.Message) });

        private static ParsedMethod? ParseMethod(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
        {
            if (method.ContainingType is not { } containingType)
            {
                return null;
            }

            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length != 1 ||
                attribute.ConstructorArguments[0].Value is not int tier ||
                attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            {
                return null;
            }

            // A file-local type in the signature is the compiler's error (CS9051); generated code could not name it.
            if (MentionsFileLocalType(method.ReturnType) || method.Parameters.Any(p => MentionsFileLocalType(p.Type)))
            {
                return null;
            }

            // A second definition with the same signature is the compiler's error (CS0111); implementing both would add more.
            if (containingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(other =>
                    !SymbolEqualityComparer.Default.Equals(other, method) && other.PartialDefinitionPart is null &&
                    other.Parameters.Select(p => p.Type).SequenceEqual(method.Parameters.Select(p => p.Type), SymbolEqualityComparer.Default)))
            {
                return null;
            }

            var diagnostics = new List<DiagnosticInfo>();
            var methodLocation = LocationInfo.From(syntax.Identifier.GetLocation());
            var methodName = method.Name;
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

            // Shape errors: no routed implementation can be emitted. Where the declaration is otherwise sound (a bad return
            // or parameter type), a throwing stub still implements it, so the shape error is the build's only error there;
            // a method, type or type parameter list that is wrong cannot be implemented at all.
            var fatal = false;
            var implementable = true;
            // The analyzers see the compilation with the generator's output, where the implementation part exists.
            var userImplementation = method.PartialImplementationPart is { } implementation &&
                !implementation.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(GeneratedFileSuffix, StringComparison.Ordinal));
            if (!method.IsPartialDefinition || userImplementation || syntax.Body is not null || syntax.ExpressionBody is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBePartial, methodLocation, methodName));
                fatal = true;
                implementable = false;
            }

            var types = new List<INamedTypeSymbol>();
            for (var t = containingType; t is not null; t = t.ContainingType)
            {
                types.Insert(0, t);
            }

            var typeErrors = new List<DiagnosticInfo>();
            foreach (var type in types)
            {
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, methodLocation, type.Name, "only classes, structs and records can declare routed prompts"));
                    fatal = true;
                    implementable = false;
                }
                else if (type.IsFileLocal)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, methodLocation, type.Name, "a file-local type cannot be extended by a generated file"));
                    fatal = true;
                    implementable = false;
                }

                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeMustBePartial, LocationInfo.From(declaration.Identifier.GetLocation()), type.Name, methodName));
                        fatal = true;
                        implementable = false;
                        break;
                    }
                }

                if (type.TypeParameters.Length > 0)
                {
                    typeErrors.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, methodLocation, type.Name, "generic types cannot register their task descriptors"));
                }
                else if (type.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    typeErrors.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, methodLocation, type.Name, "it must be accessible within its assembly so the generated task registry can reach its descriptors"));
                }
            }

            if (method.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, methodLocation, methodName));
                fatal = true;
                implementable = false;
            }

            var router = compilation.GetTypeByMetadataName("RoutedPrompts.PromptRouter");
            var parameters = new List<ParameterInfo>();
            var parameterLocations = new List<LocationInfo?>();
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Type.TypeKind == TypeKind.Error)
                {
                    return null;
                }

                if (parameter.RefKind != RefKind.None)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ByRefParameter, LocationInfo.From(parameter.Locations.FirstOrDefault()), parameter.Name, methodName));
                    fatal = true;
                }

                var role = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken" ? ParameterRole.CancellationToken
                    : router is not null && SymbolEqualityComparer.Default.Equals(parameter.Type, router) ? ParameterRole.Router
                    : ParameterRole.Bindable;
                var escaped = Formats.Identifier(parameter.Name);
                var typeName = parameter.Type.ToDisplayString(Formats.FullyQualified);
                var declaration = (parameter.IsParams ? "params " : string.Empty) +
                    (method.IsExtensionMethod && parameter.Ordinal == 0 ? "this " : string.Empty) +
                    RefKindPrefix(parameter.RefKind) +
                    typeName + " " + escaped;
                parameters.Add(new ParameterInfo(
                    escaped, parameter.Name, declaration, role, parameter.Type.SpecialType == SpecialType.System_String,
                    parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), // typeof() takes no nullable reference annotation
                    typeName));
                parameterLocations.Add(LocationInfo.From(parameter.Locations.FirstOrDefault()));
            }

            // Return type: Task<T>, ValueTask<T>, Task<Routed<T>>, ValueTask<Routed<T>>.
            if (method.ReturnType.TypeKind == TypeKind.Error)
            {
                return null;
            }

            var (shape, resultType) = ClassifyReturnType(method.ReturnType, compilation);
            if (resultType is { TypeKind: TypeKind.Error })
            {
                return null;
            }

            var isText = resultType?.SpecialType == SpecialType.System_String;
            if (resultType is null || (!isText && !JsonTypeGraphBuilder.IsObjectCandidate(resultType)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, LocationInfo.From(syntax.ReturnType), methodName, method.ReturnType.ToDisplayString()));
                fatal = true;
            }

            TaskModel NewModel(ReturnShape returnShape, string resultDisplay, bool text, string? routerExpression, string? routerCapture, TaskDescriptor? descriptor, EquatableArray<TemplatePart> template, EquatableArray<JsonTypeDef> jsonTypes) => new(
                containingType.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
                types.Select(Declare).ToEquatableArray(),
                containingType.ToDisplayString(),
                containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                methodName,
                FieldName(method),
                MethodModifiers(syntax),
                method.ReturnType.ToDisplayString(Formats.FullyQualified),
                parameters.ToEquatableArray(),
                returnShape,
                resultDisplay,
                text,
                routerExpression,
                routerCapture,
                parameters.FirstOrDefault(p => p.Role == ParameterRole.CancellationToken)?.Name,
                descriptor is null,
                descriptor,
                template,
                jsonTypes);

            if (fatal || resultType is null)
            {
                // The stub (a model without descriptor) repeats the signature; a by-ref return would need more than its type.
                var stub = implementable && method.RefKind == RefKind.None
                    ? NewModel(shape, string.Empty, false, null, null, null, EquatableArray<TemplatePart>.Empty, EquatableArray<JsonTypeDef>.Empty)
                    : null;
                return new ParsedMethod(stub, diagnostics.ToEquatableArray(), null, null, null, null, EquatableArray<LocationInfo?>.Empty, methodLocation);
            }

            diagnostics.AddRange(typeErrors);
            var resultDisplay = resultType.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Formats.FullyQualified);

            // Attribute arguments.
            var named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
            string? Text(string key) => named.TryGetValue(key, out var value) ? value.Value as string : null;
            ExpressionSyntax? ArgumentExpression(string key) =>
                attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == key)?.Expression;
            LocationInfo? ArgumentLocation(string key) =>
                LocationInfo.From((SyntaxNode?)ArgumentExpression(key) ?? attributeSyntax) ?? methodLocation;

            var maxTier = named.TryGetValue("MaxTier", out var maxTierValue) && maxTierValue.Value is int m ? m : 2;
            var outOfRange = false;
            foreach (var (argument, value, location) in new[] { ("Tier", tier, LocationInfo.From(attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression) ?? methodLocation), ("MaxTier", maxTier, ArgumentLocation("MaxTier")) })
            {
                if (value < 0 || value >= TierNames.Length)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TierOutOfRange, location, methodName, argument, value.ToString(CultureInfo.InvariantCulture)));
                    outOfRange = true;
                }
            }

            if (!outOfRange && maxTier < tier)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTierRange, ArgumentLocation("MaxTier"), methodName, TierName(tier), TierName(maxTier)));
            }

            double? confidence = null;
            if (named.TryGetValue("ConfidenceThreshold", out var confidenceValue) && confidenceValue.Value is double c)
            {
                if (!(c >= 0 && c <= 1)) // NaN fails every comparison: it is out of range, not "no threshold"
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidConfidenceThreshold, ArgumentLocation("ConfidenceThreshold"), c.ToString("R", CultureInfo.InvariantCulture), methodName));
                }

                confidence = c;
            }

            // Template: exactly one of Prompt and PromptFile.
            var prompt = Text("Prompt");
            var promptFile = Text("PromptFile");
            if (string.IsNullOrWhiteSpace(promptFile))
            {
                promptFile = null;
            }

            var parts = EquatableArray<TemplatePart>.Empty;
            var bound = EquatableArray<string>.Empty;
            if ((prompt is null) == (promptFile is null))
            {
                var where = prompt is not null ? ArgumentLocation("PromptFile") : LocationInfo.From(attributeSyntax) ?? methodLocation;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingTemplate, where, methodName));
                promptFile = null;
                prompt ??= string.Empty;
            }
            else if (prompt is not null)
            {
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
                    return new LocationInfo(tree.FilePath, span, tree.GetLineSpan(span).Span);
                }

                (parts, bound) = BindTemplate(prompt, parameters, parameterLocations, methodName, Locate, diagnostics);
            }

            var (routerExpression, routerCapture) = FindRouter(method, containingType, parameters, router, compilation, methodLocation, diagnostics);

            // Validators.
            var validator = Text("Validator");
            string? validatorMethod = null;
            if (validator is not null)
            {
                var valid = containingType.GetMembers(validator).OfType<IMethodSymbol>().Any(v =>
                    v.IsStatic && v.ReturnType.SpecialType == SpecialType.System_Boolean && v.TypeParameters.Length == 0 &&
                    v.Parameters.Length == 1 && v.Parameters[0].RefKind == RefKind.None &&
                    SymbolEqualityComparer.Default.Equals(v.Parameters[0].Type, resultType));
                if (valid)
                {
                    validatorMethod = Formats.Identifier(validator);
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValidator, ArgumentLocation("Validator"), validator, methodName, resultType.ToDisplayString(), containingType.Name));
                }
            }

            string? validatorType = null;
            if (named.TryGetValue("ValidatorType", out var validatorTypeValue) && validatorTypeValue.Value is INamedTypeSymbol validatorSymbol)
            {
                var contract = compilation.GetTypeByMetadataName("RoutedPrompts.IResultValidator`1")?.Construct(resultType);
                var valid = contract is not null && validatorSymbol.TypeKind == TypeKind.Class && !validatorSymbol.IsAbstract &&
                    !validatorSymbol.IsUnboundGenericType && compilation.HasImplicitConversion(validatorSymbol, contract);
                if (valid)
                {
                    validatorType = validatorSymbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValidatorType, ArgumentLocation("ValidatorType"), validatorSymbol.ToDisplayString(), methodName, resultType.ToDisplayString()));
                }
            }

            // Result type: converters and the derived schema.
            var jsonTypes = EquatableArray<JsonTypeDef>.Empty;
            string? schemaJson = null;
            string? converter = null;
            if (!isText)
            {
                var graph = new JsonTypeGraphBuilder(compilation, methodName, LocationInfo.From(syntax.ReturnType), diagnostics);
                var root = graph.Resolve(resultType, NullableAnnotation.NotAnnotated, resultType.Name, resultType.ToDisplayString());
                jsonTypes = graph.Definitions;
                if (root?.DefinitionKey is { } key && jsonTypes.Any(d => d.Key == key))
                {
                    schemaJson = SchemaBuilder.Build(key, jsonTypes);
                    converter = key;
                }
            }

            var schemaFile = isText ? null : Text("Schema");
            var name = Text("Name");
            if (string.IsNullOrWhiteSpace(name))
            {
                name = containingType.Name + "." + (methodName.EndsWith("Async", StringComparison.Ordinal) && methodName.Length > 5 ? methodName.Substring(0, methodName.Length - 5) : methodName);
            }

            // A schema file replaces the derived schema (Resolve checks it); the derived one must fit what the router reads.
            if (schemaJson is not null && schemaFile is null && RoutedTaskLimits.Depth(schemaJson, out _) is var depth && depth > RoutedTaskLimits.MaxSchemaDepth)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SchemaUnusableAtRunTime, LocationInfo.From(syntax.ReturnType), name!,
                    "the JSON Schema derived from its result type '" + resultType.ToDisplayString() + "' nests " + depth.ToString(CultureInfo.InvariantCulture) +
                    " levels deep, more than the " + RoutedTaskLimits.MaxSchemaDepth.ToString(CultureInfo.InvariantCulture) +
                    " the router reads (each nested record adds two); flatten the result type"));
            }

            var instructions = Text("Instructions");
            var descriptor = new TaskDescriptor(
                name!, tier, maxTier, instructions, prompt ?? string.Empty, promptFile, bound, schemaJson, null, Text("EvalSet"),
                string.Empty, null, confidence, converter, validatorMethod, validatorType); // hashes are set by Resolve, once the template and schema files are known

            var model = NewModel(shape, resultDisplay, isText, routerExpression, routerCapture, descriptor, parts, jsonTypes);
            return new ParsedMethod(
                model, diagnostics.ToEquatableArray(), promptFile, promptFile is null ? null : ArgumentLocation("PromptFile"),
                schemaFile, schemaFile is null ? null : ArgumentLocation("Schema"), parameterLocations.ToEquatableArray(), methodLocation);
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
                return new ResolvedMethod(null, new EquatableArray<DiagnosticInfo>(parsed.Diagnostics.Concat(Failure(parsed.MethodLocation, parsed.Model?.MethodName ?? string.Empty, ex)).ToArray()));
            }
        }

        private static ResolvedMethod ResolveMethod(ParsedMethod parsed, EquatableArray<AdditionalFileInfo> files)
        {
            if (parsed.Model is not { Descriptor: { } descriptor } model)
            {
                return new ResolvedMethod(parsed.Model, parsed.Diagnostics); // nothing to route: at most a stub to emit
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
            var evalSet = descriptor.EvalSet is { } evalSetPath ? FindFile(files, evalSetPath) : null;
            return new ResolvedMethod(model, diagnostics.ToEquatableArray(), evalSet is null ? null : RoutedTaskHashing.EvalSetHash(evalSet.Text));
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
                return new LocationInfo(file.Path, span, text.Lines.GetLinePositionSpan(span));
            };
        }

        internal static AdditionalFileInfo? FindFile(EquatableArray<AdditionalFileInfo> files, string path)
        {
            var wanted = NormalizePath(path);
            while (wanted.StartsWith("./", StringComparison.Ordinal))
            {
                wanted = wanted.Substring(2);
            }

            return files.FirstOrDefault(f => string.Equals(f.Path, wanted, StringComparison.OrdinalIgnoreCase)) ??
                files.FirstOrDefault(f => f.Path.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase));
        }

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
            return new TypeDeclarationInfo(string.Join(" ", parts), name, hint);
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

        private static string TierName(int tier) => tier >= 0 && tier < TierNames.Length ? TierNames[tier] : tier.ToString(CultureInfo.InvariantCulture);
    }
}
