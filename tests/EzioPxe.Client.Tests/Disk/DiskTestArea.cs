using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Disk;

/// <summary>
/// Backing files under /var/tmp (O_DIRECT needs a real file system; tmpfs has none), loop
/// devices on them and mounts, all undone on dispose: unmount, detach, delete.
/// </summary>
public sealed class DiskTestArea : IDisposable
{
    private readonly List<string> _loops = [];
    private readonly List<string> _mounts = [];

    public DiskTestArea()
    {
        Directory.CreateDirectory("/var/tmp");
        Path = Directory.CreateTempSubdirectory("eziopxe-client-disk-").FullName;
        // CreateTempSubdirectory honours TMPDIR; make sure we are on /var/tmp whatever it says.
        if (!Path.StartsWith("/var/tmp/", StringComparison.Ordinal))
        {
            Directory.Delete(Path);
            Path = System.IO.Path.Combine("/var/tmp", "eziopxe-client-disk-" + Guid.NewGuid().ToString("n")[..8]);
            Directory.CreateDirectory(Path);
        }
    }

    public string Path { get; }

    /// <summary>A file of <paramref name="size"/> bytes filled with a recognisable pattern (so "untouched" can be checked).</summary>
    public string CreateFile(string name, long size, byte? fill = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        var bytes = new byte[size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = fill ?? (byte)(0xA5 ^ (i * 7) ^ (i >> 9));
        }
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>losetup --find --show; with --direct-io=on so the loop device itself does O_DIRECT to its file.</summary>
    public string AttachLoop(string file, bool readOnly = false, bool partitions = false)
    {
        var arguments = new List<string> { "--find", "--show", "--direct-io=on" };
        if (readOnly)
        {
            arguments.Add("--read-only");
        }
        if (partitions)
        {
            arguments.Add("--partscan");
        }
        arguments.Add(file);
        var loop = Tool.Run("losetup", arguments, TimeSpan.FromMinutes(1)).EnsureSuccess("losetup").StandardOutput.Trim();
        _loops.Add(loop);
        return loop;
    }

    /// <summary>
    /// Detaches a loop device of this area before the area is disposed. Never with losetup itself:
    /// the dispose would detach the same name again, and by then the number may belong to a loop
    /// device another test process just attached (CI: CaptureTests' mkfs.ext4 found its device
    /// zero bytes long).
    /// </summary>
    public void DetachLoop(string loop)
    {
        if (!_loops.Remove(loop))
        {
            throw new InvalidOperationException($"{loop} is not a loop device of this area");
        }
        Tool.Run("losetup", "--detach", loop).EnsureSuccess("losetup --detach " + loop);
    }

    public string Mount(string device)
    {
        var target = System.IO.Path.Combine(Path, "mnt-" + _mounts.Count);
        Directory.CreateDirectory(target);
        Tool.Run("mount", device, target).EnsureSuccess("mount " + device);
        _mounts.Add(target);
        return target;
    }

    public void Dispose()
    {
        foreach (var mount in Enumerable.Reverse(_mounts))
        {
            Tool.Run("umount", mount);
        }
        foreach (var loop in _loops)
        {
            Tool.Run("losetup", "--detach", loop);
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
