using System.Diagnostics;
using System.Globalization;
using System.Net;
using EzioPxe.Bench;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;

// Our engine as a plain BitTorrent client, for the engine benchmark and for trying any other
// client against us:
//   eziopxe-bench seed  TORRENT DIR [--listen ADDR:PORT] [--until-uploaded BYTES]
//   eziopxe-bench leech TORRENT DIR [--listen ADDR:PORT] [--peer HOST:PORT ...] [--stay]
// A seed first checks that DIR holds every piece (and refuses to start otherwise). Prints
// "listening PORT" once ready, "progress ..." lines every second, and "done WALL_SECONDS cpu
// CPU_SECONDS" (measured from "listening") when a leech is complete or a seed has uploaded BYTES.
CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"eziopxe-bench: {e.Message}\n{CommandLine.Usage}");
    return 2;
}
Torrent torrent;
try
{
    torrent = Torrent.Load(command.TorrentPath);
}
catch (Exception e) when (e is InvalidTorrentException or IOException)
{
    Console.Error.WriteLine($"eziopxe-bench: {command.TorrentPath}: {e.Message}");
    return 1;
}

var seeding = command.Mode == "seed";
await using var listener = new PeerListener(command.Listen);
await using var storage = new FileSystemStorage(torrent.Info, command.Directory, writable: !seeding);
await using var session = new TorrentSession(torrent, storage, new SessionOptions
{
    // A seed checks its data like a re-imaged disk; a leech starts from nothing.
    ExistingData = seeding ? ExistingData.Check : ExistingData.None,
    ListenPort = listener.Port,
    LocalAddress = command.Listen.Address.Equals(IPAddress.Any) ? null : command.Listen.Address,
});
await session.StartAsync();
if (seeding)
{
    while (session.GetStatus().PiecesUnchecked > 0)
    {
        await Task.Delay(20);
    }
    var checkedStatus = session.GetStatus();
    if (!checkedStatus.IsComplete)
    {
        Console.Error.WriteLine($"eziopxe-bench: {command.Directory} holds {checkedStatus.PiecesHave} of {checkedStatus.PieceCount} pieces of {command.TorrentPath}; a seed needs all of them");
        return 1;
    }
}
listener.Register(session);
listener.Start();
foreach (var peer in command.Peers)
{
    session.AddPeer(peer);
}
Console.WriteLine($"listening {listener.Port}");
var clock = Stopwatch.StartNew();
var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var lastProgress = 0L;
var reported = false;
while (!stop.IsCancellationRequested)
{
    var status = session.GetStatus();
    var finished = seeding ? command.UntilUploaded is long until && status.Uploaded >= until : session.Completion.IsCompleted;
    if (session.Completion.IsFaulted)
    {
        Console.Error.WriteLine($"eziopxe-bench: {session.Completion.Exception!.InnerException!.Message}");
        return 1;
    }
    if (finished && !reported)
    {
        reported = true;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {clock.Elapsed.TotalSeconds:F3} cpu {cpu:F3}"));
        if (!command.Stay)
        {
            break;
        }
    }
    if (clock.ElapsedMilliseconds - lastProgress >= 1000)
    {
        lastProgress = clock.ElapsedMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"progress {status.Fraction:F4} peers {status.Peers} down {status.DownloadRate / 1048576:F1} MiB/s up {status.UploadRate / 1048576:F1} MiB/s uploaded {status.Uploaded}"));
    }
    try
    {
        await Task.Delay(20, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}
return 0;
