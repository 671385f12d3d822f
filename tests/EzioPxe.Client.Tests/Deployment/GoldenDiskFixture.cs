using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>One golden disk per test class (making it takes mkfs, mounts and mtools: build it once).</summary>
public sealed class GoldenDiskFixture : IDisposable
{
    private readonly TempDirectory _directory = new("eziopxe-golden");

    public GoldenDiskFixture() => Disk = GoldenDisk.Create(_directory.Path);

    public GoldenDisk Disk { get; }

    public void Dispose() => _directory.Dispose();
}
