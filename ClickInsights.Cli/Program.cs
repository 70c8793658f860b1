using ClickInsights.Cli;

// Output is read by scripts: numbers and dates are written the same whatever the machine's language.
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;

return await CliApp.RunAsync(args, Console.Out, Console.Error);
