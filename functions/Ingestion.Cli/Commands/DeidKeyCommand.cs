using System.CommandLine;
using Ingestion.Privacy;

namespace Ingestion.Cli.Commands;

/// <summary>
/// `deid-key new`: prints a fresh key for Deid__Key (stdout) and its fingerprint (stderr).
/// `deid-key fingerprint`: prints the fingerprint of the key in Deid__Key, to check which key a deployment uses
/// against run manifests. Neither ever prints a configured key.
/// </summary>
internal static class DeidKeyCommand
{
    public static Command Create()
    {
        var command = new Command("deid-key", "Create a de-identification key or show the configured key's fingerprint.");

        var create = new Command("new", "Print a new random key (base64, 32 bytes) for Deid__Key; its fingerprint goes to stderr.");
        create.SetAction(_ =>
        {
            var key = DeidentificationKey.Ephemeral();
            Console.WriteLine(key);
            Console.Error.WriteLine("fingerprint: " + DeidentificationKey.Fingerprint(DeidentificationKey.Parse(key)));
            return 0;
        });

        var fingerprint = new Command("fingerprint", "Print the fingerprint of the key in the environment variable Deid__Key.");
        fingerprint.SetAction(_ =>
        {
            try
            {
                Console.WriteLine(DeidentificationKey.Fingerprint(DeidentificationKey.Parse(Environment.GetEnvironmentVariable("Deid__Key"))));
                return 0;
            }
            catch (DeidentificationKeyException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });

        command.Subcommands.Add(create);
        command.Subcommands.Add(fingerprint);
        return command;
    }
}
