using System.CommandLine;
using System.Reflection;

namespace Ingestion.Cli.Commands;

/// <summary>`version`: prints the app version (scripts use it to check what is deployed).</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the application version.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine(version);
            return 0;
        });
        return command;
    }
}
