using EzioPxe.Client.Tests.Deployment;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Vm;

/// <summary>
/// The bootable golden disk (tests/vm/bootable-golden.sh: GRUB for BIOS and UEFI, this host's
/// kernel, a busybox initrd that mounts the ext4 root and prints its marker) and its image
/// torrent with the extents to seed, made once for the whole test class.
/// </summary>
public sealed class BootableGoldenFixture : IDisposable
{
    private readonly TempDirectory _directory = new("eziopxe-bootable");

    public BootableGoldenFixture()
    {
        Marker = "golden-" + Guid.NewGuid().ToString("n")[..12];
        ImagePath = _directory.File("golden.img");
        Tool.Run(RepositoryPaths.Of("tests/vm/bootable-golden.sh"), [ImagePath, "128", Marker], TimeSpan.FromMinutes(3))
            .EnsureSuccess("tests/vm/bootable-golden.sh");
    }

    public string ImagePath { get; }

    /// <summary>What the golden's init prints after EZIOPXE-GOLDEN-BOOTED and the firmware name.</summary>
    public string Marker { get; }

    public long Size => new FileInfo(ImagePath).Length;

    /// <summary>Turns the golden into a torrent seeded from <paramref name="seedDirectory"/>.</summary>
    public GoldenImage Image(string seedDirectory, string announce) => GoldenImage.Create(ImagePath, seedDirectory, announce);

    public void Dispose() => _directory.Dispose();
}
