using System.Globalization;
using System.Net;

namespace EzioPxe.Bench;

/// <summary>The bench host's arguments: a mode, a torrent, a directory and options.</summary>
internal sealed record CommandLine(string Mode, string TorrentPath, string Directory, IPEndPoint Listen, IReadOnlyList<IPEndPoint> Peers, long? UntilUploaded, bool Stay)
{
    public const string Usage =
        "usage: eziopxe-bench seed  TORRENT DIR [--listen ADDR:PORT] [--until-uploaded BYTES]\n" +
        "       eziopxe-bench leech TORRENT DIR [--listen ADDR:PORT] [--peer HOST:PORT ...] [--stay]\n" +
        "--listen defaults to 127.0.0.1 and a free port; a seed keeps seeding until Ctrl+C without --until-uploaded.";

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 3 || args[0] is not ("seed" or "leech"))
        {
            throw new FormatException("expected seed or leech, a torrent and a directory");
        }
        var listen = new IPEndPoint(IPAddress.Loopback, 0);
        var peers = new List<IPEndPoint>();
        long? until = null;
        var stay = false;
        for (var i = 3; i < args.Count; i++)
        {
            var option = args[i];
            switch (option)
            {
                case "--stay":
                    stay = true;
                    continue;
                case "--listen" or "--peer" or "--until-uploaded" when i + 1 < args.Count:
                    var value = args[++i];
                    if (option == "--until-uploaded")
                    {
                        until = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : throw new FormatException($"--until-uploaded {value}: not a byte count");
                    }
                    else
                    {
                        var endPoint = IPEndPoint.TryParse(value, out var parsed) ? parsed : throw new FormatException($"{option} {value}: not ADDRESS:PORT");
                        if (option == "--listen")
                        {
                            listen = endPoint;
                        }
                        else if (endPoint.Port == 0)
                        {
                            throw new FormatException($"--peer {value}: needs a port");
                        }
                        else
                        {
                            peers.Add(endPoint);
                        }
                    }
                    continue;
                default:
                    throw new FormatException($"unknown or incomplete option {option}");
            }
        }
        if (args[0] == "seed" && peers.Count > 0)
        {
            throw new FormatException("a seed takes no --peer: leechers dial it");
        }
        return new CommandLine(args[0], args[1], args[2], listen, peers, until, stay);
    }
}
