using Verify = RoutedPrompts.Analyzers.Tests.Infrastructure.AnalyzerTest;

namespace RoutedPrompts.Analyzers.Tests;

/// <summary>
/// Every method-shape rule (RP01xx, found by the parser the generator shares), with its exact location — in source or
/// inside an AdditionalFile. Each test also proves where the rule does not fire: only the listed diagnostics may appear.
/// </summary>
public sealed class MethodShapeTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using RoutedPrompts;

        """;

    private static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    private static string InType(string members, string type = "public partial class Prompts(PromptRouter router)") =>
        Usings + type + "\n{\n" + members + "\n}\n";

    [Fact]
    public Task Unknown_placeholder_in_inline_prompt_is_reported_on_the_placeholder() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "Hello {name}, see \"{|#0:{nmae}|}\"\n{{literal}}")]
            public partial Task<string> GreetAsync(string name);
        """),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("nmae", "GreetAsync"));

    [Fact]
    public Task Unknown_placeholder_in_verbatim_raw_and_concatenated_prompts() => Verify.VerifyDiagnosticsAsync(InType(""""
            [RoutedPrompt(Tier.Small, Prompt = @"Hi ""{name}"" {|#0:{a}|}")]
            public partial Task<string> OneAsync(string name);

            [RoutedPrompt(Tier.Small, Prompt = """
                Hi {name}
                  {|#1:{b}|}
                """)]
            public partial Task<string> TwoAsync(string name);

            [RoutedPrompt(Tier.Small, Prompt = "Hi\t{name}\n" + "then {|#2:{c}|}")]
            public partial Task<string> ThreeAsync(string name);
        """"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("a", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("b", "TwoAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(2).WithArguments("c", "ThreeAsync"));

    [Fact]
    public Task Cancellation_token_and_router_parameters_are_not_bindable() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "{text} {|#0:{ct}|} {|#1:{other}|}")]
            public static partial Task<string> RunAsync(string text, PromptRouter other, CancellationToken ct);
        """, "public static partial class Prompts"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(0).WithArguments("ct", "RunAsync"),
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithLocation(1).WithArguments("other", "RunAsync"));

    [Fact]
    public Task Unknown_placeholder_in_prompt_file_is_reported_inside_the_file() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, PromptFile = "prompts/greet.txt")]
            public partial Task<string> GreetAsync(string name);
        """),
        [("/repo/src/prompts/greet.txt", "Hello {name}.\nAnd {unknown} too.\n")],
        Diagnostic(DiagnosticDescriptors.UnknownPlaceholder).WithSpan("/repo/src/prompts/greet.txt", 2, 5, 2, 14).WithArguments("unknown", "GreetAsync"));

    [Fact]
    public Task Unmatched_braces() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "a {|#0:{|}b {name} c{|#1:}|}")]
            public partial Task<string> OneAsync(string name);

            [RoutedPrompt(Tier.Small, PromptFile = "prompts\\two.txt")]
            public partial Task<string> TwoAsync(string name);
        """),
        [(@"C:\repo\prompts\two.txt", "{name} {")],
        Diagnostic(DiagnosticDescriptors.UnmatchedBrace).WithLocation(0).WithArguments("{", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.UnmatchedBrace).WithLocation(1).WithArguments("}", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.UnmatchedBrace).WithSpan(@"C:\repo\prompts\two.txt", 1, 8, 1, 9).WithArguments("{", "TwoAsync"));

    [Fact]
    public Task Missing_or_duplicate_template() => Verify.VerifyDiagnosticsAsync(InType("""
            [{|#0:RoutedPrompt(Tier.Small)|}]
            public partial Task<string> NoneAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x", PromptFile = {|#1:"x.txt"|})]
            public partial Task<string> BothAsync();

            [RoutedPrompt(Tier.Small, PromptFile = {|#2:"missing.txt"|})]
            public partial Task<string> MissingAsync();
        """),
        Diagnostic(DiagnosticDescriptors.MissingTemplate).WithLocation(0).WithArguments("NoneAsync"),
        Diagnostic(DiagnosticDescriptors.MissingTemplate).WithLocation(1).WithArguments("BothAsync"),
        Diagnostic(DiagnosticDescriptors.PromptFileNotFound).WithLocation(2).WithArguments("missing.txt", "MissingAsync"));

    [Fact]
    public Task Unused_parameter_is_a_warning_on_the_parameter() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "{used}")]
            public partial Task<string> RunAsync(string used, int {|#0:unused|}, CancellationToken cancellationToken);
        """),
        Diagnostic(DiagnosticDescriptors.UnusedParameter).WithLocation(0).WithArguments("unused", "RunAsync"));

    [Fact]
    public Task Method_must_be_partial_without_body() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public Task<string> {|#0:RunAsync|}() => Task.FromResult("");
        """),
        Diagnostic(DiagnosticDescriptors.MethodMustBePartial).WithLocation(0).WithArguments("RunAsync"));

    [Fact]
    public Task Containing_types_must_be_partial() => Verify.VerifyDiagnosticsAsync(Usings + """
        public class {|#0:Outer|}
        {
            public partial class Inner(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> RunAsync();
            }
        }
        """,
        Diagnostic(DiagnosticDescriptors.TypeMustBePartial).WithLocation(0).WithArguments("Outer", "RunAsync"));

    [Fact]
    public Task Generic_methods_and_by_ref_parameters_are_rejected() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#0:GenericAsync|}<T>();

            [RoutedPrompt(Tier.Small, Prompt = "{a}")]
            public partial Task<string> ByRefAsync(in string {|#1:a|});
        """),
        Diagnostic(DiagnosticDescriptors.GenericMethod).WithLocation(0).WithArguments("GenericAsync"),
        Diagnostic(DiagnosticDescriptors.ByRefParameter).WithLocation(1).WithArguments("a", "ByRefAsync"));

    [Fact]
    public Task Unsupported_return_types() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#0:Task|} NotGenericAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#1:Task<int>|} PrimitiveAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#2:Task<List<string>>|} ListAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#3:IAsyncEnumerable<string>|} StreamAsync();
        """),
        Diagnostic(DiagnosticDescriptors.UnsupportedReturnType).WithLocation(0).WithArguments("NotGenericAsync", "System.Threading.Tasks.Task"),
        Diagnostic(DiagnosticDescriptors.UnsupportedReturnType).WithLocation(1).WithArguments("PrimitiveAsync", "System.Threading.Tasks.Task<int>"),
        Diagnostic(DiagnosticDescriptors.UnsupportedReturnType).WithLocation(2).WithArguments("ListAsync", "System.Threading.Tasks.Task<System.Collections.Generic.List<string>>"),
        Diagnostic(DiagnosticDescriptors.UnsupportedReturnType).WithLocation(3).WithArguments("StreamAsync", "System.Collections.Generic.IAsyncEnumerable<string>"));

    [Fact]
    public Task Router_not_found() => Verify.VerifyDiagnosticsAsync(Usings + """
        public partial class NoRouter
        {
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#0:RunAsync|}();
        }

        public partial class InstanceOnly
        {
            private readonly PromptRouter router = null!;

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public static partial Task<string> {|#1:RunAsync|}();
        }
        """,
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(0).WithArguments("RunAsync", "NoRouter", ""),
        Diagnostic(DiagnosticDescriptors.RouterNotFound).WithLocation(1).WithArguments("RunAsync", "InstanceOnly", " (a static method can only use a static field or property, or a parameter)"));

    [Fact]
    public Task More_than_one_router() => Verify.VerifyDiagnosticsAsync(Usings + """
        public class Base
        {
            protected PromptRouter Inherited { get; } = null!;
        }

        public partial class Prompts : Base
        {
            private readonly PromptRouter own = null!;

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#0:RunAsync|}();

            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#1:TwoParametersAsync|}(PromptRouter a, PromptRouter b);
        }
        """,
        Diagnostic(DiagnosticDescriptors.MultipleRouters).WithLocation(0).WithArguments("RunAsync", "field 'own', property 'Inherited'"),
        Diagnostic(DiagnosticDescriptors.MultipleRouters).WithLocation(1).WithArguments("TwoParametersAsync", "parameter 'a', parameter 'b'"));

    [Fact]
    public Task Invalid_validators() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x", Validator = {|#0:nameof(NotStatic)|})]
            public partial Task<string> OneAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x", Validator = {|#1:"Missing"|})]
            public partial Task<string> TwoAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x", ValidatorType = {|#2:typeof(string)|})]
            public partial Task<string> ThreeAsync();

            private bool NotStatic(string s) => true;
        """),
        Diagnostic(DiagnosticDescriptors.InvalidValidator).WithLocation(0).WithArguments("NotStatic", "OneAsync", "string", "Prompts"),
        Diagnostic(DiagnosticDescriptors.InvalidValidator).WithLocation(1).WithArguments("Missing", "TwoAsync", "string", "Prompts"),
        Diagnostic(DiagnosticDescriptors.InvalidValidatorType).WithLocation(2).WithArguments("string", "ThreeAsync", "string"));

    [Fact]
    public Task Schema_file_missing_or_invalid() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x", Schema = {|#0:"schemas/missing.json"|})]
            public partial Task<Answer> OneAsync();

            [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/broken.json")]
            public partial Task<Answer> TwoAsync();
        """) + "public sealed record Answer(string Text);\n",
        [("/p/schemas/broken.json", "{\n  \"type\": \"object\",\n  \"properties\": {]\n}")],
        Diagnostic(DiagnosticDescriptors.SchemaFileNotFound).WithLocation(0).WithArguments("schemas/missing.json", "OneAsync"),
        Diagnostic(DiagnosticDescriptors.SchemaFileInvalid).WithSpan("/p/schemas/broken.json", 3, 18, 3, 18).WithArguments("schemas/broken.json", "TwoAsync", "expected a property name"));

    [Theory]
    [InlineData("[]", 1, 1, "a JSON Schema must be an object")]
    [InlineData("{ \"type\": \"obj\" }", 1, 11, "'type' must be one of object, array, string, number, integer, boolean, null (or an array of them)")]
    [InlineData("{ \"type\": [\"object\", 3] }", 1, 22, "'type' must be one of object, array, string, number, integer, boolean, null (or an array of them)")]
    [InlineData("{\n  \"properties\": []\n}", 2, 17, "'properties' must be an object")]
    [InlineData("{ \"required\": [\"text\", 1] }", 1, 15, "'required' must be an array of property names")]
    public Task SchemaFileThatIsNotAJsonSchema(string schema, int line, int column, string error) => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/answer.json")]
            public partial Task<Answer> OneAsync();
        """) + "public sealed record Answer(string Text);\n",
        [("/p/schemas/answer.json", schema)],
        Diagnostic(DiagnosticDescriptors.SchemaFileInvalid).WithSpan("/p/schemas/answer.json", line, column, line, column).WithArguments("schemas/answer.json", "OneAsync", error));

    [Fact]
    public Task Schema_file_that_requires_a_property_the_result_type_does_not_have() => Verify.VerifyDiagnosticsAsync(
        InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x", Schema = "schemas/refund.json")]
            public partial Task<Refund> ExtractAsync();
        """) + """
            public sealed record Refund(string OrderId, [property: System.Text.Json.Serialization.JsonPropertyName("total")] decimal Amount, string? Note);
            """,
        [("/p/schemas/refund.json", "{\n  \"type\": \"object\",\n  \"required\": [\"orderId\", \"total\", \"order_id\", \"amount\"]\n}")],
        Diagnostic(DiagnosticDescriptors.SchemaRequiresUnknownProperty).WithSpan("/p/schemas/refund.json", 3, 36, 3, 46).WithArguments("schemas/refund.json", "order_id", "ExtractAsync", "Refund"),
        Diagnostic(DiagnosticDescriptors.SchemaRequiresUnknownProperty).WithSpan("/p/schemas/refund.json", 3, 48, 3, 56).WithArguments("schemas/refund.json", "amount", "ExtractAsync", "Refund"));

    [Fact]
    public Task Unserializable_members_are_named() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial {|#0:Task<Bad>|} OneAsync();
        """) + """
        public sealed record Bad(string Name, object Payload, Dictionary<int, string> ByNumber, System.IDisposable Handle);
        """,
        Diagnostic(DiagnosticDescriptors.UnserializableMember).WithLocation(0).WithArguments("Payload", "Bad", "object", "the type is not a supported primitive, collection, enum, class, record or struct"),
        Diagnostic(DiagnosticDescriptors.UnserializableMember).WithLocation(0).WithArguments("ByNumber", "Bad", "System.Collections.Generic.Dictionary<int, string>", "dictionary keys must be strings"),
        Diagnostic(DiagnosticDescriptors.UnserializableMember).WithLocation(0).WithArguments("Handle", "Bad", "System.IDisposable", "interfaces other than the generic collection interfaces cannot be constructed"));

    [Fact]
    public Task Private_result_type_is_rejected() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            private partial {|#0:Task<Hidden>|} OneAsync();

            private sealed record Hidden(string Text);
        """),
        Diagnostic(DiagnosticDescriptors.InaccessibleResultType).WithLocation(0).WithArguments("Prompts.Hidden", "OneAsync"));

    [Fact]
    public Task Invalid_tier_range_and_confidence() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt(Tier.Large, MaxTier = {|#0:Tier.Small|}, ConfidenceThreshold = {|#1:1.5|}, Prompt = "x")]
            public partial Task<string> OneAsync();
        """),
        Diagnostic(DiagnosticDescriptors.InvalidTierRange).WithLocation(0).WithArguments("OneAsync", "Large", "Small"),
        Diagnostic(DiagnosticDescriptors.InvalidConfidenceThreshold).WithLocation(1).WithArguments("1.5", "OneAsync"));

    [Fact]
    public Task Tiers_outside_small_to_large_are_rejected() => Verify.VerifyDiagnosticsAsync(InType("""
            [RoutedPrompt({|#0:(Tier)(-1)|}, Prompt = "x")]
            public partial Task<string> OneAsync();

            [RoutedPrompt(Tier.Small, MaxTier = {|#1:(Tier)3|}, Prompt = "x")]
            public partial Task<string> TwoAsync();
        """),
        Diagnostic(DiagnosticDescriptors.TierOutOfRange).WithLocation(0).WithArguments("OneAsync", "Tier", "-1"),
        Diagnostic(DiagnosticDescriptors.TierOutOfRange).WithLocation(1).WithArguments("TwoAsync", "MaxTier", "3"));

    [Fact]
    public Task Unsupported_containing_types() => Verify.VerifyDiagnosticsAsync(Usings + """
        public partial class Generic<T>(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#0:OneAsync|}();
        }

        public partial class Outer
        {
            private partial class Hidden(PromptRouter router)
            {
                [RoutedPrompt(Tier.Small, Prompt = "x")]
                public partial Task<string> {|#1:TwoAsync|}();
            }
        }

        file partial class Local(PromptRouter router)
        {
            [RoutedPrompt(Tier.Small, Prompt = "x")]
            public partial Task<string> {|#2:ThreeAsync|}();
        }
        """,
        Diagnostic(DiagnosticDescriptors.UnsupportedContainingType).WithLocation(0).WithArguments("Generic", "generic types cannot register their task descriptors"),
        Diagnostic(DiagnosticDescriptors.UnsupportedContainingType).WithLocation(1).WithArguments("Hidden", "it must be accessible within its assembly so the generated task registry can reach its descriptors"),
        Diagnostic(DiagnosticDescriptors.UnsupportedContainingType).WithLocation(2).WithArguments("Local", "a file-local type cannot be extended by a generated file"));
}
