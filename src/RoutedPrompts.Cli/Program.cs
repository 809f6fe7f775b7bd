using RoutedPrompts.Cli;

return await CliApp.RunProcessAsync(args);
