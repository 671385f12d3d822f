using System.Globalization;

namespace EzioPxe.TestSupport.Fuzzing;

/// <summary>
/// How many inputs a fuzz test tries, and from which seed. CI runs a small fixed budget from a
/// fixed seed (the same inputs every run); `./build.sh fuzz` sets EZIOPXE_FUZZ_SCALE (a multiplier)
/// and EZIOPXE_FUZZ_SEED (a fresh seed, printed in every failure so it can be replayed).
/// </summary>
public static class FuzzBudget
{
    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("EZIOPXE_FUZZ_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    /// <summary>The test's own seed unless EZIOPXE_FUZZ_SEED says otherwise.</summary>
    public static int Seed(int testSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("EZIOPXE_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : testSeed;

    public static int Iterations(int inCi) => checked(inCi * Scale);
}
