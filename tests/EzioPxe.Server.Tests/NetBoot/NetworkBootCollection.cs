namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// The QEMU network-boot test classes share one xunit collection, so they run one after the other:
/// two TCG guests on CI's 2 cores would each take more than twice as long.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NetworkBootCollection
{
    public const string Name = "QEMU network boot";
}
