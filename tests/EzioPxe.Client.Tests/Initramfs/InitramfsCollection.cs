namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// Every initramfs test shares one built image and runs one at a time: a TCG virtual machine
/// already takes a whole core, and two at once on the 2-core CI machine would only slow both.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InitramfsCollection : ICollectionFixture<BootImage>
{
    public const string Name = "Initramfs";
}
