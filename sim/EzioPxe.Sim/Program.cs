using System.Globalization;
using EzioPxe.Sim;

// The swarm simulator: runs each room, prints one line per run and a markdown table at the end.
List<SimSettings> rooms;
int seeds;
try
{
    (rooms, seeds) = SimCommandLine.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"eziopxe-sim: {e.Message}\n{SimCommandLine.Usage}");
    return 2;
}
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var rows = new List<string>();
var failed = false;
foreach (var room in rooms)
{
    for (var s = 0; s < seeds; s++)
    {
        var settings = room with { Seed = room.Seed + s };
        var result = new SwarmSimulation(settings).Run();
        Console.WriteLine(result.Describe());
        failed |= !result.AllCompleted;
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {settings.Machines}, {settings.LinkMbit:0.##} Mbit, {settings.ImageBytes >> 20} MiB, {settings.PieceLength >> 10} KiB | {settings.Seed} | {result.MedianRatio:0.00} | {(result.AllCompleted ? result.SlowestRatio.ToString("0.00", CultureInfo.InvariantCulture) : $"{result.CompletedCount} of {settings.Machines} done")} | {result.OriginRatio:0.000}x | {result.WallSeconds:0} s |"));
    }
}
Console.WriteLine();
Console.WriteLine("| N, link, image, piece | seed | T/(S/B) median | T/(S/B) slowest | origin sent (payload) | wall |");
Console.WriteLine("|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return failed ? 1 : 0;
