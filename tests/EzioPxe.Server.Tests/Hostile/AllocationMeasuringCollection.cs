namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// Tests that measure what the process allocates (GC.GetTotalAllocatedBytes counts every thread):
/// they run alone, after the parallel tests, so that no other test's allocations are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuringCollection
{
    public const string Name = "allocation measuring";
}
