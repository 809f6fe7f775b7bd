using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RoutedPrompts.Shared
{
    /// <summary>
    /// Walks a result type and describes how each reachable type is read, written and constrained: the input of both
    /// the schema builder and the converter emitter. Reports members it cannot handle.
    /// </summary>
    internal sealed class JsonTypeGraphBuilder
    {
        private readonly Compilation _compilation;
        private readonly string _methodName;
        private readonly LocationInfo? _location;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly Dictionary<string, JsonTypeDef?> _definitions = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();

        public JsonTypeGraphBuilder(Compilation compilation, string methodName, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            _compilation = compilation;
            _methodName = methodName;
            _location = location;
            _diagnostics = diagnostics;
        }

        /// <summary>The object and enum types reached so far, in discovery order.</summary>
        public EquatableArray<JsonTypeDef> Definitions => _order.Select(k => _definitions[k]).OfType<JsonTypeDef>().ToEquatableArray();

        /// <summary>Whether a type is one the converters treat as a JSON object (a root result type must be).</summary>
        public static bool IsObjectCandidate(ITypeSymbol type) =>
            type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsStatic: false } named &&
            named.SpecialType == SpecialType.None &&
            !named.IsTupleType &&
            !IsSystemType(named) &&
            !(named.IsReferenceType && named.IsAbstract);

        public JsonTypeRef? Resolve(ITypeSymbol type, NullableAnnotation annotation, string member, string owner)
        {
            if (type.TypeKind == TypeKind.Error)
            {
                return null;
            }

            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
            {
                var inner = Resolve(nullableValue.TypeArguments[0], NullableAnnotation.NotAnnotated, member, owner);
                return inner is null ? null : inner with { IsNullable = true };
            }

            var nullable = type.IsReferenceType && annotation != NullableAnnotation.NotAnnotated;
            var display = Display(type);
            switch (type.SpecialType)
            {
                case SpecialType.System_String: return Primitive(JsonKind.String, "string", nullable, false, "String");
                case SpecialType.System_Boolean: return Primitive(JsonKind.Boolean, "bool", false, true, "Boolean");
                case SpecialType.System_Byte: return Primitive(JsonKind.Integer, "byte", false, true, "Byte");
                case SpecialType.System_SByte: return Primitive(JsonKind.Integer, "sbyte", false, true, "SByte");
                case SpecialType.System_Int16: return Primitive(JsonKind.Integer, "short", false, true, "Int16");
                case SpecialType.System_UInt16: return Primitive(JsonKind.Integer, "ushort", false, true, "UInt16");
                case SpecialType.System_Int32: return Primitive(JsonKind.Integer, "int", false, true, "Int32");
                case SpecialType.System_UInt32: return Primitive(JsonKind.Integer, "uint", false, true, "UInt32");
                case SpecialType.System_Int64: return Primitive(JsonKind.Integer, "long", false, true, "Int64");
                case SpecialType.System_UInt64: return Primitive(JsonKind.Integer, "ulong", false, true, "UInt64");
                case SpecialType.System_Single: return Primitive(JsonKind.Number, "float", false, true, "Single");
                case SpecialType.System_Double: return Primitive(JsonKind.Number, "double", false, true, "Double");
                case SpecialType.System_Decimal: return Primitive(JsonKind.Number, "decimal", false, true, "Decimal");
                case SpecialType.System_DateTime: return Primitive(JsonKind.DateTime, display, false, true, "DateTime");
            }

            switch (type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString())
            {
                case "System.DateTimeOffset": return Primitive(JsonKind.DateTimeOffset, display, false, true, "DateTimeOffset");
                case "System.Guid": return Primitive(JsonKind.Guid, display, false, true, "Guid");
                case "System.DateOnly": return Primitive(JsonKind.DateOnly, display, false, true, null);
                case "System.TimeOnly": return Primitive(JsonKind.TimeOnly, display, false, true, null);
                case "System.Uri": return Primitive(JsonKind.Uri, display, nullable, false, null);
            }

            if (type is IArrayTypeSymbol array)
            {
                if (array.Rank != 1)
                {
                    return Unsupported(member, owner, type, "only one-dimensional arrays are supported");
                }

                var element = Resolve(array.ElementType, array.ElementNullableAnnotation, member, owner);
                return element is null ? null : new JsonTypeRef { Kind = JsonKind.Array, TypeName = display, IsNullable = nullable, IsValueType = false, ReaderSuffix = null, Element = element, DefinitionKey = null, Shape = CollectionShape.Array };
            }

            if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType)
            {
                return Enum(enumType, member, owner);
            }

            if (type is INamedTypeSymbol { IsGenericType: true } generic)
            {
                var definition = generic.OriginalDefinition.ToDisplayString();
                var shape = definition switch
                {
                    "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or
                    "System.Collections.Generic.ICollection<T>" or "System.Collections.Generic.IEnumerable<T>" or
                    "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IReadOnlyCollection<T>" => CollectionShape.List,
                    "System.Collections.Generic.HashSet<T>" or "System.Collections.Generic.ISet<T>" or
                    "System.Collections.Generic.IReadOnlySet<T>" => CollectionShape.HashSet,
                    "System.Collections.Generic.Dictionary<TKey, TValue>" or "System.Collections.Generic.IDictionary<TKey, TValue>" or
                    "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>" => CollectionShape.Dictionary,
                    _ => CollectionShape.None,
                };
                if (shape == CollectionShape.Dictionary)
                {
                    if (generic.TypeArguments[0].SpecialType != SpecialType.System_String)
                    {
                        return Unsupported(member, owner, type, "dictionary keys must be strings");
                    }

                    var value = Resolve(generic.TypeArguments[1], generic.TypeArgumentNullableAnnotations[1], member, owner);
                    return value is null ? null : new JsonTypeRef { Kind = JsonKind.Dictionary, TypeName = display, IsNullable = nullable, IsValueType = false, ReaderSuffix = null, Element = value, DefinitionKey = null, Shape = shape };
                }

                if (shape != CollectionShape.None)
                {
                    var element = Resolve(generic.TypeArguments[0], generic.TypeArgumentNullableAnnotations[0], member, owner);
                    return element is null ? null : new JsonTypeRef { Kind = JsonKind.Array, TypeName = display, IsNullable = nullable, IsValueType = false, ReaderSuffix = null, Element = element, DefinitionKey = null, Shape = shape };
                }
            }

            if (type is INamedTypeSymbol named && IsObjectCandidate(named))
            {
                return Object(named, nullable, member, owner);
            }

            var reason = type.TypeKind switch
            {
                TypeKind.Interface => "interfaces other than the generic collection interfaces cannot be constructed",
                TypeKind.TypeParameter => "type parameters are not supported",
                TypeKind.Delegate => "delegates cannot be serialized",
                TypeKind.Class when type.IsAbstract => "abstract classes cannot be constructed",
                _ => "the type is not a supported primitive, collection, enum, class, record or struct",
            };
            return Unsupported(member, owner, type, reason);
        }

        private static JsonTypeRef Primitive(JsonKind kind, string typeName, bool nullable, bool isValueType, string? reader) =>
            new JsonTypeRef { Kind = kind, TypeName = typeName, IsNullable = nullable, IsValueType = isValueType, ReaderSuffix = reader, Element = null, DefinitionKey = null, Shape = CollectionShape.None };

        private JsonTypeRef? Unsupported(string member, string owner, ITypeSymbol type, string reason)
        {
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnserializableMember, _location, member, owner, type.ToDisplayString(), reason));
            return null;
        }

        private bool CheckAccessible(INamedTypeSymbol type)
        {
            for (var t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsFileLocal || t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InaccessibleResultType, _location, type.ToDisplayString(), _methodName));
                    return false;
                }
            }

            return true;
        }

        private JsonTypeRef? Enum(INamedTypeSymbol type, string member, string owner)
        {
            var key = KeyOf(type);
            var reference = new JsonTypeRef { Kind = JsonKind.Enum, TypeName = Display(type), IsNullable = false, IsValueType = true, ReaderSuffix = null, Element = null, DefinitionKey = key, Shape = CollectionShape.None };
            if (_definitions.ContainsKey(key))
            {
                return reference;
            }

            if (!CheckAccessible(type))
            {
                return null;
            }

            var fields = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).ToList();
            var seen = new HashSet<object>();
            var writable = fields.Where(f => f.ConstantValue is not null && seen.Add(f.ConstantValue)).Select(f => f.Name);
            _definitions[key] = new JsonTypeDef
            {
                Key = key,
                TypeName = Display(type),
                SchemaName = type.Name,
                IsEnum = true,
                IsValueType = true,
                Description = Description(type.GetAttributes()),
                Properties = EquatableArray<JsonPropertyDef>.Empty,
                ConstructorParameterCount = 0,
                EnumMembers = fields.Select(f => f.Name).ToEquatableArray(),
                EnumWriteMembers = writable.ToEquatableArray(),
            };
            _order.Add(key);
            return reference;
        }

        private JsonTypeRef? Object(INamedTypeSymbol type, bool nullable, string member, string owner)
        {
            var key = KeyOf(type);
            var reference = new JsonTypeRef { Kind = JsonKind.Object, TypeName = Display(type), IsNullable = nullable, IsValueType = type.IsValueType, ReaderSuffix = null, Element = null, DefinitionKey = key, Shape = CollectionShape.None };
            if (_definitions.ContainsKey(key))
            {
                return reference;
            }

            if (!CheckAccessible(type))
            {
                return null;
            }

            _definitions[key] = null;
            _order.Add(key);
            var typeName = type.ToDisplayString();
            var constructor = ChooseConstructor(type);
            if (constructor is null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnserializableMember, _location, type.Name, typeName, typeName,
                    "it needs an accessible parameterless constructor, a single parameterized constructor, or one marked [JsonConstructor]"));
                return null;
            }

            var properties = CollectProperties(type);
            var result = new List<JsonPropertyDef>();
            var failed = false;
            foreach (var parameter in constructor.Parameters)
            {
                if (!properties.Any(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnserializableMember, _location, parameter.Name, typeName, parameter.Type.ToDisplayString(),
                        "the constructor parameter has no matching public property"));
                    failed = true;
                }
            }

            foreach (var property in properties)
            {
                var parameter = constructor.Parameters.FirstOrDefault(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase));
                MemberAssignment assignment;
                if (parameter is not null)
                {
                    assignment = MemberAssignment.Constructor;
                }
                else if (property.SetMethod is { } setter && _compilation.IsSymbolAccessibleWithin(setter, _compilation.Assembly))
                {
                    assignment = setter.IsInitOnly || property.IsRequired ? MemberAssignment.Init : MemberAssignment.Set;
                }
                else
                {
                    continue;
                }

                var attributes = property.GetAttributes().AddRange(parameter?.GetAttributes() ?? Enumerable.Empty<AttributeData>());
                var propertyType = Resolve(property.Type, property.NullableAnnotation, property.Name, typeName);
                if (propertyType is null)
                {
                    failed = true;
                    continue;
                }

                var required = (parameter is not null && !parameter.HasExplicitDefaultValue) || property.IsRequired ||
                    attributes.Any(a => AttributeName(a) == "System.ComponentModel.DataAnnotations.RequiredAttribute");
                result.Add(new JsonPropertyDef
                {
                    MemberName = property.Name,
                    JsonName = JsonName(property.Name, attributes),
                    Type = propertyType,
                    Required = required,
                    ConstructorIndex = parameter?.Ordinal ?? -1,
                    Assignment = assignment,
                    DefaultValue = parameter is { HasExplicitDefaultValue: true } ? DefaultValue(parameter) : null,
                    Constraints = Constraints(attributes),
                });
            }

            // Two members under one JSON name would give the schema a duplicate key and the reader two targets for it.
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in result)
            {
                if (named.TryGetValue(property.JsonName, out var first))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateJsonName, _location, first, property.MemberName, typeName, property.JsonName));
                }
                else
                {
                    named.Add(property.JsonName, property.MemberName);
                }
            }

            if (failed)
            {
                return null;
            }

            _definitions[key] = new JsonTypeDef
            {
                Key = key,
                TypeName = Display(type),
                SchemaName = type.Name,
                IsEnum = false,
                IsValueType = type.IsValueType,
                Description = Description(type.GetAttributes()),
                Properties = result.ToEquatableArray(),
                ConstructorParameterCount = constructor.Parameters.Length,
                EnumMembers = EquatableArray<string>.Empty,
                EnumWriteMembers = EquatableArray<string>.Empty,
            };
            return reference;
        }

        private IMethodSymbol? ChooseConstructor(INamedTypeSymbol type)
        {
            var candidates = type.InstanceConstructors
                .Where(c => _compilation.IsSymbolAccessibleWithin(c, _compilation.Assembly))
                .Where(c => !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, type)))
                .ToList();
            var marked = candidates.FirstOrDefault(c => c.GetAttributes().Any(a => AttributeName(a) == "System.Text.Json.Serialization.JsonConstructorAttribute"));
            if (marked is not null)
            {
                return marked;
            }

            var parameterless = candidates.FirstOrDefault(c => c.Parameters.Length == 0);
            var parameterized = candidates.Where(c => c.Parameters.Length > 0).ToList();
            if (type.IsValueType && parameterized.Count == 1)
            {
                return parameterized[0];
            }

            return parameterless ?? (parameterized.Count == 1 ? parameterized[0] : null);
        }

        private static List<IPropertySymbol> CollectProperties(INamedTypeSymbol type)
        {
            var chain = new List<INamedTypeSymbol>();
            for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
            {
                chain.Insert(0, t);
            }

            var properties = new List<IPropertySymbol>();
            foreach (var t in chain)
            {
                foreach (var property in t.GetMembers().OfType<IPropertySymbol>())
                {
                    if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public ||
                        property.GetMethod is not { DeclaredAccessibility: Accessibility.Public } ||
                        property.GetAttributes().Any(a => AttributeName(a) == "System.Text.Json.Serialization.JsonIgnoreAttribute"))
                    {
                        continue;
                    }

                    var existing = properties.FindIndex(p => p.Name == property.Name);
                    if (existing >= 0)
                    {
                        properties[existing] = property;
                    }
                    else
                    {
                        properties.Add(property);
                    }
                }
            }

            return properties;
        }

        private static string DefaultValue(IParameterSymbol parameter)
        {
            var value = parameter.ExplicitDefaultValue;
            var type = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (value is null)
            {
                return "default(" + type + ")!";
            }

            var literal = value switch
            {
                double d when double.IsNaN(d) || double.IsInfinity(d) => "double." + (double.IsNaN(d) ? "NaN" : d > 0 ? "PositiveInfinity" : "NegativeInfinity"),
                float f when float.IsNaN(f) || float.IsInfinity(f) => "float." + (float.IsNaN(f) ? "NaN" : f > 0 ? "PositiveInfinity" : "NegativeInfinity"),
                _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
            };
            return "(" + type + ")(" + literal + ")";
        }

        private static string JsonName(string name, IEnumerable<AttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                if (AttributeName(attribute) == "System.Text.Json.Serialization.JsonPropertyNameAttribute" &&
                    attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string explicitName)
                {
                    return explicitName;
                }
            }

            return CamelCase(name);
        }

        /// <summary>System.Text.Json's <c>JsonNamingPolicy.CamelCase</c>.</summary>
        internal static string CamelCase(string name)
        {
            if (name.Length == 0 || !char.IsUpper(name[0]))
            {
                return name;
            }

            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (i == 1 && !char.IsUpper(chars[i]))
                {
                    break;
                }

                var hasNext = i + 1 < chars.Length;
                if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
                {
                    if (chars[i + 1] == ' ')
                    {
                        chars[i] = char.ToLowerInvariant(chars[i]);
                    }

                    break;
                }

                chars[i] = char.ToLowerInvariant(chars[i]);
            }

            return new string(chars);
        }

        private static JsonConstraints Constraints(IEnumerable<AttributeData> attributes)
        {
            string? description = null, minimum = null, maximum = null, pattern = null;
            int? minLength = null, maxLength = null;
            foreach (var attribute in attributes)
            {
                var args = attribute.ConstructorArguments;
                switch (AttributeName(attribute))
                {
                    case "System.ComponentModel.DescriptionAttribute" when args.Length == 1 && args[0].Value is string text:
                        description = text;
                        break;
                    case "System.ComponentModel.DataAnnotations.RangeAttribute" when args.Length == 2 && IsNumber(args[0].Value) && IsNumber(args[1].Value):
                        minimum = FormatNumber(args[0].Value!);
                        maximum = FormatNumber(args[1].Value!);
                        break;
                    case "System.ComponentModel.DataAnnotations.MinLengthAttribute" when args.Length == 1 && args[0].Value is int min:
                        minLength = min;
                        break;
                    case "System.ComponentModel.DataAnnotations.MaxLengthAttribute" when args.Length == 1 && args[0].Value is int max && max >= 0:
                        maxLength = max;
                        break;
                    case "System.ComponentModel.DataAnnotations.StringLengthAttribute" when args.Length == 1 && args[0].Value is int max:
                        maxLength = max;
                        foreach (var named in attribute.NamedArguments)
                        {
                            if (named.Key == "MinimumLength" && named.Value.Value is int minimumLength && minimumLength > 0)
                            {
                                minLength = minimumLength;
                            }
                        }

                        break;
                    case "System.ComponentModel.DataAnnotations.RegularExpressionAttribute" when args.Length == 1 && args[0].Value is string regex:
                        pattern = regex;
                        break;
                }
            }

            return new JsonConstraints { Description = description, Minimum = minimum, Maximum = maximum, MinLength = minLength, MaxLength = maxLength, Pattern = pattern };
        }

        private static string? Description(IEnumerable<AttributeData> attributes) =>
            attributes.Where(a => AttributeName(a) == "System.ComponentModel.DescriptionAttribute" && a.ConstructorArguments.Length == 1)
                .Select(a => a.ConstructorArguments[0].Value as string)
                .FirstOrDefault(d => d is not null);

        private static bool IsNumber(object? value) => value is int or long or double or float or short or byte or decimal;

        private static string FormatNumber(object value) => value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "0",
        };

        private static string AttributeName(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() ?? string.Empty;

        private static bool IsSystemType(INamedTypeSymbol type)
        {
            var ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal);
        }

        private static string Display(ITypeSymbol type) =>
            type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Formats.FullyQualified);

        /// <summary>The converter class name of a type: its full name made into an identifier.</summary>
        private static string KeyOf(INamedTypeSymbol type)
        {
            var name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
            var builder = new StringBuilder(name.Length + 13);
            foreach (var c in name)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            }

            return builder.Append("JsonConverter").ToString();
        }
    }
}
