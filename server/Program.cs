using EzioPxe.Server.Cli;

namespace EzioPxe.Server;

public static class Program
{
    private const string Usage =
        "usage: eziopxe COMMAND ...\n" +
        "  serve [--config FILE]             DHCP/TFTP, HTTP, tracker and origin seeder (runs until stopped)\n" +
        "  status [--server URL]             which machine is where, how fast, ETA; past deployments\n" +
        "  deploy --job JOB [--machines ..]  arm a one-shot deployment for a room's machines (or --cancel, --list)\n" +
        "  wake [--job JOB]                  send Wake-on-LAN magic packets to a room's machines\n" +
        "  image create SOURCE [--name NAME] make an image torrent from a disk image or block device\n" +
        "  image inspect FILE.torrent        describe an image torrent\n" +
        "  --version                         version and commit";

    public static int Main(string[] args)
    {
        var rest = args.Skip(1).ToArray();
        switch (args.FirstOrDefault())
        {
            case "serve":
                return ServeCommand.Run(rest);
            case "status":
                return StatusCommand.Run(rest);
            case "deploy":
                return DeployCommand.Run(rest);
            case "wake":
                return WakeCommand.Run(rest);
            case "image" when rest.FirstOrDefault() == "create":
                return ImageCommands.Create(rest[1..]);
            case "image" when rest.FirstOrDefault() == "inspect":
                return ImageCommands.Inspect(rest[1..]);
            case "--version" or "version":
                Console.Out.WriteLine(ProgramVersion.Text);
                return 0;
            case "-h" or "--help" or "help":
                Console.Out.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
