using System.CommandLine;
using Ingestion.Cli.Commands;

// The app's entry point. Every command lives in Commands/<Name>Command.cs and is registered here once.
// Exit codes: 0 success, 1 failure (reason on stderr), 2 bad usage.
var root = new RootCommand("FHIR Bulk Data → US Core validation → OMOP CDM 5.4 → de-identified Parquet lake.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    foreach (var error in parseResult.Errors) Console.Error.WriteLine(error.Message);
    return 2;
}
return await parseResult.InvokeAsync();
