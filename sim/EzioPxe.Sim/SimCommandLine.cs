using System.Globalization;

namespace EzioPxe.Sim;

/// <summary>The simulator's arguments: one room per N given, the rest shared.</summary>
internal static class SimCommandLine
{
    public const string Usage =
        "usage: eziopxe-sim [--n \"2 4 8\"] [--rate MBIT] [--size MIB] [--piece-size KIB] [--latency MS]\n" +
        "                   [--queue MS] [--step US] [--start FIRST-LAST] [--client-memory MIB+MIB] [--no-fast K] [--reveal PIECES] [--no-super-seeding]\n" +
        "                   [--in-flight PIECES] [--unchoke N] [--connections DIAL+SLACK] [--room-for-newcomers yes|no] [--turn PIECES] [--min-queue BLOCKS] [--uplink fair|in-order|oldest-first|in-order-at-origin] [--control-first yes|no] [--trace] [--snapshots \"S/B S/B...\"] [--missing-at SECONDS]\n" +
        "                   [--seed S] [--seeds COUNT] [--limit FACTOR]\n" +
        "Every host has a symmetric link of --rate Mbit (default 100); the image is --size MiB of zeros (default 256)\n" +
        "in --piece-size KiB pieces (default 256).";

    public static (List<SimSettings> Rooms, int Seeds) Parse(IReadOnlyList<string> args)
    {
        var machines = new List<int> { 2, 4, 8 };
        var settings = new SimSettings();
        var seeds = 1;
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            if (option == "--trace")
            {
                settings = settings with { Trace = true };
                continue;
            }
            if (option == "--no-super-seeding")
            {
                settings = settings with { SuperSeeding = false };
                continue;
            }
            if (i + 1 >= args.Count)
            {
                throw new FormatException($"{option}: missing value");
            }
            var value = args[++i];
            settings = option switch
            {
                "--n" => Keep(settings, () => machines = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => Int(option, v)).ToList()),
                "--rate" => settings with { LinkMbit = Double(option, value) },
                "--size" => settings with { ImageBytes = (long)(Double(option, value) * (1 << 20)) },
                "--piece-size" => settings with { PieceLength = Int(option, value) * 1024 },
                "--latency" => settings with { LatencyMilliseconds = Double(option, value) },
                "--client-memory" => Memory(settings, option, value),
                "--queue" => settings with { QueueMilliseconds = Double(option, value) },
                "--step" => settings with { StepMicroseconds = Int(option, value) },
                "--start" => Start(settings, option, value),
                "--no-fast" => settings with { ClientsWithoutFast = Int(option, value) },
                "--reveal" => settings with { SuperSeedingPiecesPerPeer = Int(option, value) },
                "--in-flight" => settings with { SuperSeedingPiecesInFlight = NonNegative(option, value) },
                "--unchoke" => settings with { MaxUnchoked = Int(option, value) },
                "--connections" => Connections(settings, option, value),
                "--room-for-newcomers" => settings with { RoomForNewcomers = YesNo(option, value) },
                "--snapshots" => settings with { Snapshots = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => Double(option, v)).Order().ToList() },
                "--missing-at" => settings with { MissingAtSeconds = Double(option, value) },
                "--turn" => settings with { UploadTurnPieces = NonNegative(option, value) },
                "--min-queue" => settings with { MinRequestQueue = Int(option, value) },
                "--uplink" => settings with { Uplinks = Uplinks(option, value) },
                "--control-first" => settings with { ControlFirst = YesNo(option, value) },
                "--seed" => settings with { Seed = Int(option, value) },
                "--seeds" => Keep(settings, () => seeds = Int(option, value)),
                "--limit" => settings with { TimeLimitFactor = Double(option, value) },
                _ => throw new FormatException($"unknown option {option}"),
            };
        }
        return (machines.Select(n => settings with { Machines = n }).ToList(), seeds);
    }

    private static UplinkSharing Uplinks(string option, string value) => value switch
    {
        "fair" => UplinkSharing.Fair,
        "in-order" => UplinkSharing.InOrder,
        "oldest-first" => UplinkSharing.OldestFirst,
        "in-order-at-origin" => UplinkSharing.InOrderAtOrigin,
        _ => throw new FormatException($"{option}: fair, in-order, oldest-first or in-order-at-origin"),
    };

    private static SimSettings Keep(SimSettings settings, Action action)
    {
        action();
        return settings;
    }

    private static SimSettings Start(SimSettings settings, string option, string value)
    {
        var (first, last) = TwoParts(option, value, '-', "FIRST-LAST in seconds");
        return settings with { StartFirstSeconds = Double(option, first), StartLastSeconds = Double(option, last) };
    }

    private static SimSettings Connections(SimSettings settings, string option, string value)
    {
        var (dial, slack) = TwoParts(option, value, '+', "DIAL+SLACK");
        return settings with { MaxConnections = Int(option, dial), IncomingSlack = NonNegative(option, slack) };
    }

    private static SimSettings Memory(SimSettings settings, string option, string value)
    {
        var (download, cache) = TwoParts(option, value, '+', "DOWNLOAD+CACHE in MiB");
        return settings with { ClientDownloadMemory = (long)(Double(option, download) * (1 << 20)), ClientReadCacheMemory = (long)(Double(option, cache) * (1 << 20)) };
    }

    /// <summary>"A+B" (or "A-B") split in its two parts; anything else is an error naming the form expected.</summary>
    private static (string First, string Second) TwoParts(string option, string value, char separator, string expected)
    {
        var parts = value.Split(separator);
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new FormatException($"{option} {value}: expected {expected}");
    }

    private static bool YesNo(string option, string value) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new FormatException($"{option}: yes or no"),
    };

    private static int Int(string option, string value)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{option} {value}: not a positive whole number");

    private static int NonNegative(string option, string value)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new FormatException($"{option} {value}: not a whole number");

    private static double Double(string option, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d : throw new FormatException($"{option} {value}: not a number");
}
