using System.Diagnostics;
using System.Globalization;
using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;

// eziopxe-bench seed  TORRENT DIR PORT UNTIL_UPLOADED
// eziopxe-bench leech TORRENT DIR HOST:PORT
// Prints "done WALL_SECONDS cpu CPU_SECONDS" when finished: the leech when complete, the seed once it
// has uploaded UNTIL_UPLOADED bytes.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: eziopxe-bench seed TORRENT DIR PORT UNTIL_UPLOADED | leech TORRENT DIR HOST:PORT");
    return 2;
}
var torrent = Torrent.Load(args[1]);
var clock = Stopwatch.StartNew();
if (args[0] == "seed")
{
    var until = long.Parse(args[4], CultureInfo.InvariantCulture);
    await using var listener = new PeerListener(new IPEndPoint(IPAddress.Loopback, int.Parse(args[3], CultureInfo.InvariantCulture)));
    await using var storage = new FileSystemStorage(torrent.Info, args[2], writable: false);
    await using var session = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.Complete, ListenPort = listener.Port });
    listener.Register(session);
    listener.Start();
    await session.StartAsync();
    Console.WriteLine($"listening {listener.Port}");
    while (session.GetStatus().Uploaded < until)
    {
        await Task.Delay(20);
    }
    Report(clock);
}
else
{
    var peer = IPEndPoint.Parse(args[3]);
    await using var storage = new FileSystemStorage(torrent.Info, args[2]);
    await using var session = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None });
    await session.StartAsync();
    session.AddPeer(peer);
    await session.Completion;
    Report(clock);
}
return 0;

static void Report(Stopwatch clock)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {clock.Elapsed.TotalSeconds:F3} cpu {cpu:F3}"));
}
