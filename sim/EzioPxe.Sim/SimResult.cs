namespace EzioPxe.Sim;

/// <summary>What one simulated room measured. Times are seconds from the go; ratios are over S/B.</summary>
internal sealed record SimResult(
    SimSettings Settings,
    IReadOnlyList<double?> Completions,
    long OriginPayloadBytes,
    long WastedBytes,
    double? SuperSeedingEndedAt,
    double VirtualSeconds,
    double WallSeconds)
{
    public bool AllCompleted => Completions.All(c => c != null);

    public int CompletedCount => Completions.Count(c => c != null);

    private IEnumerable<double> Done => Completions.Where(c => c != null).Select(c => c!.Value);

    public double Median
    {
        get
        {
            var sorted = Done.OrderBy(c => c).ToList();
            return sorted.Count == 0 ? double.NaN : sorted[(sorted.Count - 1) / 2];
        }
    }

    public double Slowest => AllCompleted ? Done.Max() : double.NaN;

    public double MedianRatio => Median / Settings.ImageSeconds;

    public double SlowestRatio => Slowest / Settings.ImageSeconds;

    /// <summary>Bytes a client received and threw away (end-game duplicates, late answers), on average, over the image.</summary>
    public double WastedPerClient => (double)WastedBytes / Settings.Machines / Settings.ImageBytes;

    public double OriginRatio => (double)OriginPayloadBytes / Settings.ImageBytes;

    public string Describe() =>
        $"{Settings.Describe()}: {(AllCompleted ? "all" : $"{CompletedCount} of {Settings.Machines}")} done; "
        + $"T/(S/B) median {MedianRatio:0.000}, slowest {SlowestRatio:0.000}; origin sent {OriginRatio:0.000}x the image (payload)"
        + $"; wasted {WastedPerClient:0.0000}x per client; super-seeding ended "
        + (SuperSeedingEndedAt is double ended ? $"at {ended / Settings.ImageSeconds:0.00} S/B" : "never")
        + $"; {VirtualSeconds:0.0} s virtual in {WallSeconds:0.0} s";
}
