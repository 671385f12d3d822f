using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// out/boot/vmlinuz and out/boot/initramfs.img, built by initramfs/build.sh once per test run and
/// reused while they are newer than every input (the builder's files and the client binary), so
/// a second run of the tests does not pay for the build again.
/// </summary>
public sealed class BootImage
{
    public BootImage()
    {
        Directory = RepositoryPaths.Of("out/boot");
        KernelPath = Path.Combine(Directory, "vmlinuz");
        InitramfsPath = Path.Combine(Directory, "initramfs.img");
        ClientPath = RepositoryPaths.ClientBinary;
        if (!File.Exists(ClientPath))
        {
            // The NativeAOT publish; CI's `./build.sh test` has already done it.
            Tool.Run("bash", new[] { RepositoryPaths.Of("build.sh"), "client" }, TimeSpan.FromMinutes(10), RepositoryPaths.Root)
                .EnsureSuccess("./build.sh client");
        }
        if (IsStale())
        {
            Tool.Run("bash", new[] { RepositoryPaths.Of("initramfs/build.sh"), Directory }, TimeSpan.FromMinutes(5), RepositoryPaths.Root)
                .EnsureSuccess("initramfs/build.sh");
        }
        Info = BuildInfo.Read(Path.Combine(Directory, "initramfs.txt"));
    }

    public string Directory { get; }

    public string KernelPath { get; }

    public string InitramfsPath { get; }

    public string ClientPath { get; }

    /// <summary>What initramfs/build.sh recorded in out/boot/initramfs.txt.</summary>
    public BuildInfo Info { get; }

    private bool IsStale()
    {
        var outputs = new[] { KernelPath, InitramfsPath, Path.Combine(Directory, "initramfs.txt") };
        if (!outputs.All(File.Exists))
        {
            return true;
        }
        var inputs = System.IO.Directory.GetFiles(RepositoryPaths.Of("initramfs"))
            .Append(ClientPath)
            .Append("/bin/busybox")
            .Concat(System.IO.Directory.GetFiles("/boot", "vmlinuz-*"));
        var newestInput = inputs.Max(File.GetLastWriteTimeUtc);
        return outputs.Min(File.GetLastWriteTimeUtc) <= newestInput;
    }
}
