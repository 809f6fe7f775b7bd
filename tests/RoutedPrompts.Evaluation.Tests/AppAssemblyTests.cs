using System.Reflection;

namespace RoutedPrompts.Evaluation.Tests;

public sealed class AppAssemblyTests
{
    private static readonly AssemblyName Tool = new("RoutedPrompts") { Version = new Version(1, 2, 0, 0) };

    [Fact]
    public void An_app_built_against_a_newer_runtime_than_the_tool_gets_a_clear_error()
    {
        AssemblyName[] references = [new("System.Runtime") { Version = new Version(10, 0, 0, 0) }, new("RoutedPrompts") { Version = new Version(1, 3, 0, 0) }];

        var error = Assert.Throws<InvalidOperationException>(() => Cli.AppAssembly.CheckRuntimeVersion(references, Tool, "/app/bin/MyApp.dll"));

        Assert.Equal(
            "MyApp.dll was built against RoutedPrompts 1.3.0.0, newer than this tool's 1.2.0.0. Update the tool (dotnet tool update RoutedPrompts.Tool) to the version of the RoutedPrompts package the app uses.",
            error.Message);
    }

    [Theory]
    [InlineData("1.2.0.0")]
    [InlineData("1.0.0.0")]
    public void An_app_built_against_the_same_or_an_older_runtime_loads(string version)
    {
        Cli.AppAssembly.CheckRuntimeVersion([new("RoutedPrompts") { Version = Version.Parse(version) }], Tool, "MyApp.dll");
        Cli.AppAssembly.CheckRuntimeVersion([new("Other") { Version = new Version(9, 0) }], Tool, "MyApp.dll"); // no RoutedPrompts reference
    }
}
