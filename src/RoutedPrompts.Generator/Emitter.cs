using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RoutedPrompts.Shared;

namespace RoutedPrompts.Generator
{
    /// <summary>A containing type's generated file: its routed methods.</summary>
    internal sealed record TypeFileModel(string HintName, string Namespace, EquatableArray<TypeDeclarationInfo> Types, EquatableArray<TaskModel> Tasks);

    /// <summary>The registry: every emitted task's descriptor field.</summary>
    internal sealed record RegistryModel(EquatableArray<string> Descriptors, bool HasModuleInitializer);

    /// <summary>Writes the generated C#.</summary>
    internal static class Emitter
    {
        private const string Json = "global::System.Text.Json";
        private const string Ai = "global::Microsoft.Extensions.AI";

        public static readonly string Version = typeof(Emitter).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        private static readonly string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"RoutedPrompts.Generator\", \"" + Version + "\")]";
        private const string NeverBrowsable = "[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]";

        public static string EmitTypeFile(TypeFileModel file)
        {
            var w = Header();
            if (file.Namespace.Length > 0)
            {
                w.Open("namespace " + file.Namespace);
            }

            foreach (var type in file.Types)
            {
                w.Open(type.Declaration + " " + type.Name);
            }

            var first = true;
            foreach (var task in file.Tasks)
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                EmitTask(w, task);
            }

            for (var i = 0; i < file.Types.Count; i++)
            {
                w.Close();
            }

            if (file.Namespace.Length > 0)
            {
                w.Close();
            }

            return w.ToString();
        }

        private static void EmitTask(SourceWriter w, TaskModel task)
        {
            var signature = string.Join(", ", task.Parameters.Select(p => p.Declaration));
            if (task.HasErrors || task.Descriptor is not { } d)
            {
                w.Line("/// <summary>Not generated: the [RoutedPrompt] attribute of this method has errors (see the RoutedPrompts diagnostics).</summary>");
                w.Line(GeneratedCode);
                w.Open(Join(task.MethodModifiers, "partial", task.ReturnType, task.MethodName + "(" + signature + ")"));
                w.Line("throw new global::System.InvalidOperationException(" + Formats.Literal("The routed prompt " + task.ContainingTypeFullName + "." + task.MethodName + " has build errors; see the RoutedPrompts diagnostics.") + ");");
                w.Close();
                return;
            }

            var descriptorType = "global::RoutedPrompts.RoutedTask<" + task.ResultType + ">";
            w.Line("/// <summary>The routed task descriptor of <see cref=\"" + task.MethodName + "\"/>.</summary>");
            w.Line(GeneratedCode);
            w.Line(NeverBrowsable);
            if (d.Lock is { } baked)
            {
                w.Line("// Start tier and per-tier confidence thresholds baked from the current entry of routedprompts.lock.json (start tier " +
                    TierName(baked.StartTier ?? baked.AttributeTier) + ", attribute tier " + TierName(baked.AttributeTier) + ").");
            }

            w.Line("internal static readonly " + descriptorType + " " + task.FieldName + " = new " + descriptorType);
            w.Open();
            w.Line("Name = " + Formats.Literal(d.Name) + ",");
            w.Line("DeclaringType = " + Formats.Literal(task.ContainingTypeFullName) + ",");
            w.Line("MethodName = " + Formats.Literal(task.MethodName) + ",");
            w.Line("Tier = " + Tier(d.Tier) + ",");
            if (d.Lock is { } moved && moved.AttributeTier != d.Tier)
            {
                w.Line("DeclaredTier = " + Tier(moved.AttributeTier) + ",");
            }

            w.Line("MaxTier = " + Tier(d.MaxTier) + ",");
            w.Line("Instructions = " + Formats.Literal(d.Instructions) + ",");
            w.Line("Template = " + Formats.Literal(d.Template) + ",");
            w.Line("PromptFile = " + Formats.Literal(d.PromptFile) + ",");
            w.Line("Parameters = " + (d.BoundParameters.IsEmpty ? "global::System.Array.Empty<string>()" : "new string[] { " + string.Join(", ", d.BoundParameters.Select(Formats.Literal)) + " }") + ",");
            var bound = d.BoundParameters.Select(name => task.Parameters.First(p => p.PlainName == name)).ToList();
            w.Line("ParameterTypes = " + (bound.Count == 0 ? "global::System.Array.Empty<global::System.Type>()" : "new global::System.Type[] { " +
                string.Join(", ", bound.Select(p => "typeof(" + p.TypeOfName + ")")) + " }") + ",");
            w.Line("CreateMessages = static arguments => " + MessagesMethod(task) + "(" +
                string.Join(", ", bound.Select((p, i) => "(" + p.TypeName + ")arguments[" + Index(i) + "]!")) + "),");
            w.Line("SchemaJson = " + Formats.Literal(task.IsText ? null : d.SchemaJson) + ",");
            w.Line("SchemaFile = " + Formats.Literal(d.SchemaFile) + ",");
            w.Line("EvalSet = " + Formats.Literal(d.EvalSet) + ",");
            w.Line("ConfidenceThreshold = " + (d.ConfidenceThreshold is { } c ? Number(c) : "null") + ",");
            if (d.Lock is { Thresholds.IsEmpty: false } calibrated)
            {
                w.Line("TierConfidenceThresholds = new global::System.Collections.Generic.Dictionary<global::RoutedPrompts.Tier, double> { " +
                    string.Join(", ", calibrated.Thresholds.Select(t => "[" + Tier(t.Tier) + "] = " + Number(t.Threshold))) + " },");
            }

            w.Line("JsonTypeInfo = " + (d.ConverterName is null ? "null" : "global::RoutedPrompts.RoutedJson.CreateTypeInfo(new global::RoutedPrompts.Generated." + d.ConverterName + "())") + ",");
            w.Line("Validator = " + (d.ValidatorMethod ?? "null") + ",");
            w.Line("ValidatorType = " + (d.ValidatorType is null ? "null" : "typeof(" + d.ValidatorType + ")") + ",");
            w.Close(";");
            w.Line();

            if (task.RouterCapture is { } captured)
            {
                w.Line("/// <summary>The primary-constructor parameter <c>" + captured + "</c>, which a parameter of <see cref=\"" + task.MethodName + "\"/> hides.</summary>");
                w.Line(GeneratedCode);
                w.Line("private global::RoutedPrompts.PromptRouter " + RouterAccessor(task) + " => " + captured + ";");
                w.Line();
            }

            // The one place the messages are built: the method's body calls it with its arguments, the descriptor's
            // CreateMessages (the eval tool) with an eval set's inputs read as the parameters' types.
            w.Line("/// <summary>The messages <see cref=\"" + task.MethodName + "\"/> sends: the instructions and the rendered template.</summary>");
            w.Line(GeneratedCode);
            w.Line(NeverBrowsable);
            w.Open("private static " + Ai + ".ChatMessage[] " + MessagesName(task) + "(" + string.Join(", ", bound.Select(p => p.TypeName + " " + p.Name)) + ")");
            var prompt = EmitRender(w, task.Template, new HashSet<string>(bound.Select(p => p.PlainName), System.StringComparer.Ordinal));
            w.Line("return new " + Ai + ".ChatMessage[]");
            w.Open();
            if (d.Instructions is not null)
            {
                w.Line("new " + Ai + ".ChatMessage(" + Ai + ".ChatRole.System, " + Formats.Literal(d.Instructions) + "),");
            }

            w.Line("new " + Ai + ".ChatMessage(" + Ai + ".ChatRole.User, " + prompt + "),");
            w.Close(";");
            w.Close();
            w.Line();

            // The body's locals must not hide a parameter or the router, whatever the user named them (the descriptor and
            // the messages method are qualified with their type, so no parameter hides them).
            var taken = new HashSet<string>(task.Parameters.Select(p => p.PlainName), System.StringComparer.Ordinal) { task.RouterExpression ?? string.Empty };
            var routed = Local("__routed", taken);
            var router = task.RouterCapture is null ? task.RouterExpression : "this." + RouterAccessor(task);
            w.Line(GeneratedCode);
            w.Open(Join(task.MethodModifiers, "async partial", task.ReturnType, task.MethodName + "(" + signature + ")"));
            // The context goes to the router, never into the prompt; the arguments go in RoutedTask.Parameters order (a
            // rule's Parameter condition reads them by that index).
            var arguments = bound.Count == 0 ? "global::System.Array.Empty<object?>()" : "new object?[] { " + string.Join(", ", bound.Select(p => p.Name)) + " }";
            w.Line("var " + routed + " = await " + router + ".RouteAsync(" + task.ContainingTypeReference + "." + task.FieldName + ", " +
                MessagesMethod(task) + "(" + string.Join(", ", bound.Select(p => p.Name)) + "), " + (task.ContextName ?? "null") + ", " + arguments + ", " +
                (task.CancellationTokenName ?? "default") + ").ConfigureAwait(false);");
            w.Line(task.Shape is ReturnShape.TaskOfRouted or ReturnShape.ValueTaskOfRouted ? "return " + routed + ";" : "return " + routed + ".Value;");
            w.Close();
        }

        /// <summary>The generated method that builds the task's messages, qualified with its type.</summary>
        private static string MessagesMethod(TaskModel task) => task.ContainingTypeReference + "." + MessagesName(task);

        private static string MessagesName(TaskModel task) => task.FieldName + "_Messages";

        private static string RouterAccessor(TaskModel task) => task.FieldName + "_Router";

        /// <summary><paramref name="name"/>, prefixed with <c>_</c> until no name in <paramref name="taken"/> equals it; then taken.</summary>
        private static string Local(string name, HashSet<string> taken)
        {
            while (!taken.Add(name))
            {
                name = "_" + name;
            }

            return name;
        }

        /// <summary>
        /// Renders the template into a local and returns its name. Long templates become one <c>Append</c> statement per
        /// part: a chain of calls would nest the compiler's syntax and binding one level per part (10,000 placeholders
        /// took csc minutes and overflowed its stack).
        /// </summary>
        private static string EmitRender(SourceWriter w, EquatableArray<TemplatePart> parts, HashSet<string> taken)
        {
            static string Part(TemplatePart part) =>
                part.Literal is not null ? Formats.Literal(part.Literal)
                : part.IsString ? part.ParameterName!
                : "global::RoutedPrompts.PromptText.Format(" + part.ParameterName + ")";

            var prompt = Local("__prompt", taken);
            switch (parts.Count)
            {
                case 0:
                    w.Line("var " + prompt + " = string.Empty;");
                    break;
                case 1 when parts[0].Literal is null && parts[0].IsString:
                    w.Line("var " + prompt + " = " + parts[0].ParameterName + " ?? string.Empty;");
                    break;
                case 1:
                    w.Line("var " + prompt + " = " + Part(parts[0]) + ";");
                    break;
                case <= 4:
                    w.Line("var " + prompt + " = string.Concat(" + string.Join(", ", parts.Select(Part)) + ");");
                    break;
                default:
                    var builder = Local("__builder", taken);
                    var capacity = (int)System.Math.Min(int.MaxValue, parts.Sum(p => (long)(p.Literal?.Length ?? 16)));
                    w.Line("var " + builder + " = new global::System.Text.StringBuilder(" + capacity.ToString(CultureInfo.InvariantCulture) + ");");
                    foreach (var part in parts)
                    {
                        w.Line(builder + ".Append(" + Part(part) + ");");
                    }

                    w.Line("var " + prompt + " = " + builder + ".ToString();");
                    break;
            }

            return prompt;
        }

        public static string EmitRegistry(RegistryModel registry)
        {
            var w = Header();
            w.Open("namespace RoutedPrompts.Generated");
            w.Line("/// <summary>The routed tasks of this assembly.</summary>");
            w.Line(GeneratedCode);
            w.Line(NeverBrowsable);
            w.Open("internal static class RoutedTaskRegistry");
            w.Line("/// <summary>Every routed task declared in this assembly, ordered by name.</summary>");
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::RoutedPrompts.RoutedTask> Tasks { get; } = new global::RoutedPrompts.RoutedTask[]");
            w.Open();
            foreach (var descriptor in registry.Descriptors)
            {
                w.Line(descriptor + ",");
            }

            w.Close(";");
            if (registry.HasModuleInitializer)
            {
                w.Line();
                w.Line("/// <summary>Registers <see cref=\"Tasks\"/> with <see cref=\"global::RoutedPrompts.RoutedTaskCatalog\"/> when the module loads.</summary>");
                w.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
                w.Line("internal static void Register() => global::RoutedPrompts.RoutedTaskCatalog.Register(Tasks);");
            }

            w.Close();
            w.Close();
            return w.ToString();
        }

        public static string EmitConverter(JsonTypeDef type)
        {
            var w = Header();
            w.Open("namespace RoutedPrompts.Generated");
            w.Line("/// <summary>Reads and writes <c>" + Escape(type.TypeName).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;") + "</c> as JSON without reflection.</summary>");
            w.Line(GeneratedCode);
            w.Line(NeverBrowsable);
            w.Open("internal sealed class " + type.Key + " : " + Json + ".Serialization.JsonConverter<" + type.TypeName + ">");
            var nullableReturn = type.IsValueType ? type.TypeName : type.TypeName + "?";
            w.Line("/// <inheritdoc />");
            w.Open("public override " + nullableReturn + " Read(ref " + Json + ".Utf8JsonReader reader, global::System.Type typeToConvert, " + Json + ".JsonSerializerOptions options)");
            w.Open("try");
            w.Line("return ReadValue(ref reader);");
            w.Close();
            foreach (var exception in new[] { "global::System.InvalidOperationException", "global::System.FormatException", "global::System.OverflowException" })
            {
                w.Open("catch (" + exception + " e)");
                w.Line("throw new " + Json + ".JsonException(e.Message, e);");
                w.Close();
            }

            w.Close();
            w.Line();
            w.Line("/// <inheritdoc />");
            w.Line("public override void Write(" + Json + ".Utf8JsonWriter writer, " + type.TypeName + " value, " + Json + ".JsonSerializerOptions options) => WriteValue(writer, value);");
            w.Line();
            if (type.IsEnum)
            {
                EmitEnumMethods(w, type);
            }
            else
            {
                EmitObjectRead(w, type);
                w.Line();
                EmitObjectWrite(w, type);
            }

            w.Close();
            w.Close();
            return w.ToString();
        }

        private static void EmitEnumMethods(SourceWriter w, JsonTypeDef type)
        {
            var name = Escape(type.TypeName);
            w.Open("internal static " + type.TypeName + " ReadValue(ref " + Json + ".Utf8JsonReader reader)");
            w.Line("var text = reader.GetString();");
            foreach (var member in type.EnumMembers)
            {
                w.Open("if (string.Equals(text, " + Formats.Literal(member) + ", global::System.StringComparison.OrdinalIgnoreCase))");
                w.Line("return " + type.TypeName + "." + Formats.Identifier(member) + ";");
                w.Close();
                w.Line();
            }

            w.Line("throw new " + Json + ".JsonException(\"'\" + text + \"' is not a value of " + name + ".\");");
            w.Close();
            w.Line();
            w.Open("internal static void WriteValue(" + Json + ".Utf8JsonWriter writer, " + type.TypeName + " value)");
            w.Line("writer.WriteStringValue(value switch");
            w.Open();
            foreach (var member in type.EnumWriteMembers)
            {
                w.Line(type.TypeName + "." + Formats.Identifier(member) + " => " + Formats.Literal(member) + ",");
            }

            w.Line("_ => throw new " + Json + ".JsonException(\"'\" + value + \"' is not a named value of " + name + ".\"),");
            w.Close(");");
            w.Close();
        }

        private static void EmitObjectRead(SourceWriter w, JsonTypeDef type)
        {
            var name = Escape(type.TypeName);
            var properties = type.Properties;
            w.Open("internal static " + type.TypeName + " ReadValue(ref " + Json + ".Utf8JsonReader reader)");
            EmitExpect(w, "StartObject", "a JSON object for " + name);
            for (var i = 0; i < properties.Count; i++)
            {
                var p = properties[i];
                w.Line(p.Type.Display + " p" + Index(i) + " = " + (p.DefaultValue ?? "default!") + ";");
                w.Line("bool has" + Index(i) + " = false;");
            }

            // Names match exactly (ordinal), as JSON Schema validation matches them: a case variant is another property,
            // which the schema gate judged as such. A repeated name is rejected rather than letting one of the values win
            // (the schema gate's JSON reader keeps the last, System.Text.Json's document keeps both).
            OpenReadLoop(w, "EndObject");
            w.Line("var name = reader.GetString();");
            EmitReadNext(w);
            for (var i = 0; i < properties.Count; i++)
            {
                var p = properties[i];
                w.Open((i == 0 ? "if" : "else if") + " (string.Equals(name, " + Formats.Literal(p.JsonName) + ", global::System.StringComparison.Ordinal))");
                w.Open("if (has" + Index(i) + ")");
                w.Line("throw new " + Json + ".JsonException(\"Duplicate property '" + Escape(p.JsonName) + "' in " + name + ".\");");
                w.Close();
                w.Line();
                EmitRead(w, p.Type, "p" + Index(i), p.JsonName, 0);
                w.Line("has" + Index(i) + " = true;");
                w.Close();
            }

            if (properties.Count == 0)
            {
                w.Line("reader.Skip();");
            }
            else
            {
                w.Open("else");
                w.Line("reader.Skip();");
                w.Close();
            }

            w.Close();
            for (var i = 0; i < properties.Count; i++)
            {
                if (properties[i].Required)
                {
                    w.Line();
                    w.Open("if (!has" + Index(i) + ")");
                    w.Line("throw new " + Json + ".JsonException(\"Missing required property '" + Escape(properties[i].JsonName) + "' of " + name + ".\");");
                    w.Close();
                }
            }

            w.Line();
            var arguments = new string[type.ConstructorParameterCount];
            for (var i = 0; i < properties.Count; i++)
            {
                if (properties[i].Assignment == MemberAssignment.Constructor && properties[i].ConstructorIndex < arguments.Length)
                {
                    arguments[properties[i].ConstructorIndex] = "p" + Index(i);
                }
            }

            var initializers = properties.Select((p, i) => (p, i)).Where(x => x.p.Assignment == MemberAssignment.Init).ToList();
            var creation = "var value = new " + type.TypeName + "(" + string.Join(", ", arguments) + ")";
            if (initializers.Count == 0)
            {
                w.Line(creation + ";");
            }
            else
            {
                w.Line(creation);
                w.Open();
                foreach (var (p, i) in initializers)
                {
                    w.Line(Formats.Identifier(p.MemberName) + " = p" + Index(i) + ",");
                }

                w.Close(";");
            }

            for (var i = 0; i < properties.Count; i++)
            {
                if (properties[i].Assignment == MemberAssignment.Set)
                {
                    w.Open("if (has" + Index(i) + ")");
                    w.Line("value." + Formats.Identifier(properties[i].MemberName) + " = p" + Index(i) + ";");
                    w.Close();
                }
            }

            w.Line("return value;");
            w.Close();
        }

        private static void EmitExpect(SourceWriter w, string token, string expected)
        {
            w.Open("if (reader.TokenType != " + Json + ".JsonTokenType." + token + ")");
            w.Line("throw new " + Json + ".JsonException(\"Expected " + expected + ".\");");
            w.Close();
            w.Line();
        }

        /// <summary>Opens <c>while (true)</c> that reads the next token and leaves on <paramref name="endToken"/>.</summary>
        private static void OpenReadLoop(SourceWriter w, string endToken)
        {
            w.Open("while (true)");
            EmitReadNext(w);
            w.Open("if (reader.TokenType == " + Json + ".JsonTokenType." + endToken + ")");
            w.Line("break;");
            w.Close();
            w.Line();
        }

        private static void EmitReadNext(SourceWriter w)
        {
            w.Open("if (!reader.Read())");
            w.Line("throw new " + Json + ".JsonException(\"Unexpected end of the JSON document.\");");
            w.Close();
            w.Line();
        }

        /// <summary>Reads the current JSON value into <paramref name="target"/>.</summary>
        private static void EmitRead(SourceWriter w, JsonTypeRef type, string target, string what, int depth)
        {
            EmitNullBranch(
                w,
                type,
                "reader.TokenType == " + Json + ".JsonTokenType.Null",
                type.IsNullable ? target + " = null;" : "throw new " + Json + ".JsonException(\"'" + Escape(what) + "' cannot be null.\");",
                () => EmitReadValue(w, type, target, what, depth));
        }

        private static void EmitReadValue(SourceWriter w, JsonTypeRef type, string target, string what, int depth)
        {
            var suffix = depth.ToString(CultureInfo.InvariantCulture);
            var single = type.Kind switch
            {
                JsonKind.String => "reader.GetString()!",
                JsonKind.Uri => "new global::System.Uri(reader.GetString()!, global::System.UriKind.RelativeOrAbsolute)",
                JsonKind.DateOnly => "global::System.DateOnly.ParseExact(reader.GetString()!, \"yyyy-MM-dd\", global::System.Globalization.CultureInfo.InvariantCulture)",
                JsonKind.TimeOnly => "global::System.TimeOnly.Parse(reader.GetString()!, global::System.Globalization.CultureInfo.InvariantCulture)",
                JsonKind.Enum or JsonKind.Object => "global::RoutedPrompts.Generated." + type.DefinitionKey + ".ReadValue(ref reader)",
                JsonKind.Array or JsonKind.Dictionary => null,
                _ => "reader.Get" + type.ReaderSuffix + "()",
            };
            if (type.ReaderSuffix is "Double" or "Single")
            {
                // Utf8JsonReader reads 1e400 as a double (1e39 as a float) Infinity; a non-finite number is no value of the schema's.
                var number = "number" + suffix;
                var keyword = type.ReaderSuffix == "Double" ? "double" : "float";
                w.Line("var " + number + " = " + single + ";");
                w.Open("if (!" + keyword + ".IsFinite(" + number + "))");
                w.Line("throw new " + Json + ".JsonException(\"'" + Escape(what) + "' is not a finite " + keyword + ".\");");
                w.Close();
                w.Line();
                w.Line(target + " = " + number + ";");
                return;
            }

            if (single is not null)
            {
                w.Line(target + " = " + single + ";");
                return;
            }

            switch (type.Kind)
            {
                case JsonKind.Array:
                    var element = type.Element!;
                    var list = "list" + suffix;
                    var item = "item" + suffix;
                    EmitExpect(w, "StartArray", "a JSON array for '" + Escape(what) + "'");
                    var collection = type.Shape == CollectionShape.HashSet ? "HashSet" : "List";
                    w.Line("var " + list + " = new global::System.Collections.Generic." + collection + "<" + element.Display + ">();");
                    OpenReadLoop(w, "EndArray");
                    w.Line(element.Display + " " + item + " = default!;");
                    EmitRead(w, element, item, what, depth + 1);
                    w.Line(list + ".Add(" + item + ");");
                    w.Close();
                    w.Line(target + " = " + list + (type.Shape == CollectionShape.Array ? ".ToArray();" : ";"));
                    break;
                case JsonKind.Dictionary:
                    var value = type.Element!;
                    var map = "map" + suffix;
                    var entry = "entry" + suffix;
                    var key = "key" + suffix;
                    EmitExpect(w, "StartObject", "a JSON object for '" + Escape(what) + "'");
                    w.Line("var " + map + " = new global::System.Collections.Generic.Dictionary<string, " + value.Display + ">();");
                    OpenReadLoop(w, "EndObject");
                    w.Line("var " + key + " = reader.GetString()!;");
                    w.Open("if (" + map + ".ContainsKey(" + key + "))");
                    w.Line("throw new " + Json + ".JsonException(\"Duplicate key in '" + Escape(what) + "'.\");");
                    w.Close();
                    w.Line();
                    EmitReadNext(w);
                    w.Line(value.Display + " " + entry + " = default!;");
                    EmitRead(w, value, entry, what, depth + 1);
                    w.Line(map + ".Add(" + key + ", " + entry + ");");
                    w.Close();
                    w.Line(target + " = " + map + ";");
                    break;
            }
        }

        private static void EmitObjectWrite(SourceWriter w, JsonTypeDef type)
        {
            w.Open("internal static void WriteValue(" + Json + ".Utf8JsonWriter writer, " + type.TypeName + " value)");
            w.Line("writer.WriteStartObject();");
            foreach (var p in type.Properties)
            {
                w.Line("writer.WritePropertyName(" + Formats.Literal(p.JsonName) + ");");
                EmitWrite(w, p.Type, "value." + Formats.Identifier(p.MemberName), 0);
            }

            w.Line("writer.WriteEndObject();");
            w.Close();
        }

        private static void EmitWrite(SourceWriter w, JsonTypeRef type, string expression, int depth)
        {
            var value = type.IsNullable && type.IsValueType ? expression + ".Value" : expression;
            EmitNullBranch(w, type, expression + " is null", "writer.WriteNullValue();", () => EmitWriteValue(w, type, value, depth));
        }

        /// <summary>For types that can be null, <c>if (isNull) onNull; else { value }</c>; otherwise just the value.</summary>
        private static void EmitNullBranch(SourceWriter w, JsonTypeRef type, string isNull, string onNull, System.Action emitValue)
        {
            if (!type.IsNullable && type.IsValueType)
            {
                emitValue();
                return;
            }

            w.Open("if (" + isNull + ")");
            w.Line(onNull);
            w.Close();
            w.Open("else");
            emitValue();
            w.Close();
        }

        private static void EmitWriteValue(SourceWriter w, JsonTypeRef type, string expression, int depth)
        {
            var suffix = depth.ToString(CultureInfo.InvariantCulture);
            var primitive = type.Kind switch
            {
                JsonKind.String or JsonKind.DateTime or JsonKind.DateTimeOffset or JsonKind.Guid => "WriteStringValue(" + expression + ")",
                JsonKind.Uri => "WriteStringValue(" + expression + ".OriginalString)",
                JsonKind.DateOnly => "WriteStringValue(" + expression + ".ToString(\"yyyy-MM-dd\", global::System.Globalization.CultureInfo.InvariantCulture))",
                JsonKind.TimeOnly => "WriteStringValue(" + expression + ".ToString(\"HH:mm:ss.FFFFFFF\", global::System.Globalization.CultureInfo.InvariantCulture))",
                JsonKind.Boolean => "WriteBooleanValue(" + expression + ")",
                JsonKind.Integer or JsonKind.Number => "WriteNumberValue(" + expression + ")",
                _ => null,
            };
            if (primitive is not null)
            {
                w.Line("writer." + primitive + ";");
                return;
            }

            switch (type.Kind)
            {
                case JsonKind.Enum:
                case JsonKind.Object:
                    w.Line("global::RoutedPrompts.Generated." + type.DefinitionKey + ".WriteValue(writer, " + expression + ");");
                    break;
                case JsonKind.Array:
                    w.Line("writer.WriteStartArray();");
                    w.Open("foreach (var item" + suffix + " in " + expression + ")");
                    EmitWrite(w, type.Element!, "item" + suffix, depth + 1);
                    w.Close();
                    w.Line("writer.WriteEndArray();");
                    break;
                case JsonKind.Dictionary:
                    w.Line("writer.WriteStartObject();");
                    w.Open("foreach (var entry" + suffix + " in " + expression + ")");
                    w.Line("writer.WritePropertyName(entry" + suffix + ".Key);");
                    EmitWrite(w, type.Element!, "entry" + suffix + ".Value", depth + 1);
                    w.Close();
                    w.Line("writer.WriteEndObject();");
                    break;
            }
        }

        private static SourceWriter Header() =>
            new SourceWriter().Line("// <auto-generated/>").Line("#nullable enable").Line();

        private static string Join(params string[] parts) => string.Join(" ", parts.Where(p => p.Length > 0));

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

        private static string TierName(int tier) => RoutedPromptsShape.TierNames[tier];

        private static string Tier(int tier) => tier switch
        {
            0 => "global::RoutedPrompts.Tier.Small",
            1 => "global::RoutedPrompts.Tier.Medium",
            2 => "global::RoutedPrompts.Tier.Large",
            _ => "(global::RoutedPrompts.Tier)" + tier.ToString(CultureInfo.InvariantCulture),
        };

        private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

        /// <summary>Text for inside a generated string literal: no <c>global::</c>, escaped.</summary>
        private static string Escape(string text)
        {
            var literal = Formats.Literal(text.Replace("global::", string.Empty));
            return literal.Substring(1, literal.Length - 2);
        }
    }
}
