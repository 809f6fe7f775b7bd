using System.Text;
using Microsoft.Extensions.AI;

namespace RoutedPrompts;

/// <summary>
/// What routing rules read from a request's text: the prompt (its user messages) and whether it contains code. The one
/// owner of the code detector (rules' <c>HasCode</c>; the eval tool's replay rules use it too).
/// </summary>
internal static class PromptFeatures
{
    private static readonly string[] CodeLinePrefixes =
    [
        "def ", "class ", "function ", "import ", "from ", "#include", "#define", "using ", "package ", "public ", "private ",
        "static ", "const ", "let ", "var ", "return ", "if (", "for (", "while (", "fn ", "func ", "SELECT ", "INSERT INTO ",
        "UPDATE ", "DELETE FROM ", "CREATE TABLE ",
    ];

    /// <summary>The text of the user messages, in order, separated by a newline.</summary>
    public static string UserText(IReadOnlyList<ChatMessage> messages)
    {
        string? single = null;
        StringBuilder? text = null;
        foreach (var message in messages)
        {
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            if (single is null && text is null)
            {
                single = message.Text;
                continue;
            }

            text ??= new StringBuilder(single);
            text.Append('\n').Append(message.Text);
        }

        return text?.ToString() ?? single ?? string.Empty;
    }

    /// <summary>
    /// An estimate of the input tokens of <paramref name="messages"/> when no tokenizer is known for the model: one token
    /// per four characters of text (rounded up), plus four per message for its role and framing.
    /// </summary>
    public static int EstimateTokens(IReadOnlyList<ChatMessage> messages)
    {
        long characters = 0;
        foreach (var message in messages)
        {
            characters += message.Text.Length;
        }

        return (int)Math.Min(int.MaxValue, ((characters + 3) / 4) + (4L * messages.Count));
    }

    /// <summary>
    /// Whether <paramref name="text"/> contains code: a code fence (<c>```</c>), or a line that reads as code or as a
    /// stack trace. One line is enough when it is unambiguous (a fence, <c>#include</c>, a <c>SELECT … FROM</c>, a
    /// stack-trace frame such as <c>at Foo.Bar() in …</c> or <c>File "x.py", line 3</c>); otherwise two code-like
    /// lines are needed, so prose that ends one sentence with a brace or a semicolon is not code.
    /// </summary>
    public static bool HasCode(string text)
    {
        if (text.Contains("```", StringComparison.Ordinal))
        {
            return true;
        }

        var codeLines = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            switch (Classify(line))
            {
                case LineKind.Certain:
                    return true;
                case LineKind.Likely when ++codeLines >= 2:
                    return true;
            }
        }

        return false;
    }

    private enum LineKind
    {
        Prose,
        Likely,
        Certain,
    }

    private static LineKind Classify(ReadOnlySpan<char> line)
    {
        if (line.StartsWith("#include", StringComparison.Ordinal) || line.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal) ||
            IsDefinition(line) || IsStackFrame(line) || IsSql(line))
        {
            return LineKind.Certain;
        }

        var last = line[^1];
        if (last is ';' or '{' or '}' || line.Contains("=>", StringComparison.Ordinal) || line.Contains("->", StringComparison.Ordinal) ||
            line.Contains("();", StringComparison.Ordinal) || line.Contains("==", StringComparison.Ordinal) || line.Contains("!=", StringComparison.Ordinal))
        {
            return LineKind.Likely;
        }

        foreach (var prefix in CodeLinePrefixes)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) && (last is ':' or ')' or '(' or ',' || line.Contains('(') || line.Contains('=')))
            {
                return LineKind.Likely;
            }
        }

        return LineKind.Prose;
    }

    // "def name(args):" (Python), "function name(args) {" (JavaScript): a definition with its parameter list.
    private static bool IsDefinition(ReadOnlySpan<char> line)
    {
        var rest = line.StartsWith("def ", StringComparison.Ordinal) ? line[4..] : line.StartsWith("function ", StringComparison.Ordinal) ? line[9..] : default;
        var open = rest.IndexOf('(');
        return open > 0 && rest[..open].Trim().IndexOf(' ') < 0 && rest[open..].Contains(')') && line[^1] is ':' or '{';
    }

    // "at Namespace.Type.Method(args) in file:line 12" (.NET), "at com.example.Foo.bar(Foo.java:42)" (Java),
    // "at foo (/app/x.js:1:2)" (JavaScript), "File "x.py", line 3, in f" (Python).
    private static bool IsStackFrame(ReadOnlySpan<char> line)
    {
        if (line.StartsWith("File \"", StringComparison.Ordinal) && line.Contains("\", line ", StringComparison.Ordinal))
        {
            return true;
        }

        if (!line.StartsWith("at ", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line[3..];
        var open = rest.IndexOf('(');
        return open > 0 && rest[..open].IndexOf(' ') < 0 && rest.Contains(')') &&
               (rest[..open].Contains('.') || rest.Contains(':'));
    }

    private static bool IsSql(ReadOnlySpan<char> line)
    {
        var select = line.IndexOf("SELECT ", StringComparison.OrdinalIgnoreCase);
        return select >= 0 && line[select..].Contains(" FROM ", StringComparison.OrdinalIgnoreCase) && IsUpper(line.Slice(select, 6));
    }

    private static bool IsUpper(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (char.IsLower(c))
            {
                return false;
            }
        }

        return true;
    }
}
