using Spectre.Console.Testing;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// Without <c>--assembly</c> the tool builds the project in <c>--project-dir</c> (as <c>dotnet ef</c> does) and loads
/// its output; what goes wrong on the way is a clear error with exit code 2. (The successful build is exercised end to
/// end by <see cref="LockBakedIntoBuildTests"/>, out of process.)
/// </summary>
public sealed class AppProjectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-app-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Exit, string Output)> Check(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        var exit = await Cli.CliApp.RunAsync(["check", "--project-dir", _dir, .. args], console);
        return (exit, console.Output);
    }

    private void WriteProject(string name, string program)
    {
        File.WriteAllText(Path.Combine(_dir, name), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_dir, "Program.cs"), program);
    }

    [Fact]
    public async Task A_failing_build_is_reported_with_the_compiler_error_and_the_way_out()
    {
        WriteProject("Broken.csproj", "int answer = \"forty-two\";\nSystem.Console.WriteLine(answer);\n");

        var (exit, output) = await Check();

        Assert.Equal(2, exit);
        Assert.Contains("Building ", output);
        Assert.Contains("Broken.csproj", output);
        Assert.Contains("error CS0029", output); // cannot convert string to int
        Assert.Contains("Fix the build, or pass --assembly", output);
    }

    [Fact]
    public async Task No_build_on_a_project_never_built_names_the_missing_output()
    {
        WriteProject("Fresh.csproj", "System.Console.WriteLine(42);\n");

        var (exit, output) = await Check("--no-build", "-c", "Release");

        Assert.Equal(2, exit);
        Assert.Contains("Locating the build output of", output);
        Assert.Contains("Fresh.dll does not exist", output);
        Assert.Contains("has not been built in Release. Run without --no-build, or pass --assembly.", output);
    }

    [Fact]
    public async Task A_directory_without_one_project_says_which_option_to_pass()
    {
        var (none, noneOutput) = await Check();
        Assert.Equal(2, none);
        Assert.Contains($"No project (*.csproj) in {_dir}: pass --project-dir", noneOutput);

        WriteProject("One.csproj", string.Empty);
        File.Copy(Path.Combine(_dir, "One.csproj"), Path.Combine(_dir, "Two.csproj"));
        var (several, severalOutput) = await Check();
        Assert.Equal(2, several);
        Assert.Contains("Several projects in", severalOutput);
        Assert.Contains("(One.csproj, Two.csproj): pass --assembly", severalOutput);
    }
}
