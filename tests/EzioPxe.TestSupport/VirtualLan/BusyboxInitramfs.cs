namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// Builds a tiny gzip'd newc initramfs around busybox-static with a given /init script, for
/// boot tests that only need to prove which kernel command line arrived.
/// </summary>
public static class BusyboxInitramfs
{
    public const string Busybox = "/bin/busybox";

    /// <summary>An /init that prints "CMDLINE: ..." and powers the machine off (so QEMU exits).</summary>
    public const string PrintCommandLineInit = """
        #!/bin/sh
        /bin/busybox mount -t proc proc /proc
        echo "CMDLINE: $(/bin/busybox cat /proc/cmdline)"
        /bin/busybox poweroff -f
        """;

    public static void Build(string outputPath, string initScript = PrintCommandLineInit)
    {
        if (!File.Exists(Busybox))
        {
            throw new FileNotFoundException($"{Busybox} missing; install busybox-static");
        }
        using var staging = new TempDirectory("eziopxe-initramfs");
        foreach (var dir in new[] { "bin", "proc", "sys", "dev" })
        {
            Directory.CreateDirectory(staging.File(dir));
        }
        File.Copy(Busybox, staging.File("bin/busybox"));
        File.CreateSymbolicLink(staging.File("bin/sh"), "busybox");
        File.WriteAllText(staging.File("init"), initScript.Replace("\r", "", StringComparison.Ordinal) + "\n");
        Tool.Run("chmod", "0755", staging.File("init")).EnsureSuccess("chmod /init");
        // The kernel opens /dev/console for init's stdout before anything could mount devtmpfs.
        Tool.Run("mknod", staging.File("dev/console"), "c", "5", "1").EnsureSuccess("mknod /dev/console");
        Tool.Run("/bin/sh", ["-c", $"cd '{staging.Path}' && find . | cpio -o -H newc --quiet | gzip -1 > '{outputPath}'"], TimeSpan.FromMinutes(1))
            .EnsureSuccess("cpio | gzip");
    }
}
