using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Packaging;

/// <summary>
/// A clean Debian 12 root file system for package tests: `debootstrap --variant=minbase bookworm`
/// plus systemd (what every Debian 12 machine has, and what `systemd-analyze verify --root`
/// needs) and libssl3 (present on any installed system; .NET's hashing uses it). Made once into
/// out/debian12-root (about 2 minutes from the Debian mirror) and copied for each test, so every
/// test starts from the same untouched system.
/// </summary>
public static class Debian12Root
{
    private static readonly object Gate = new();

    public static string Cached => RepositoryPaths.Of("out/debian12-root");

    /// <summary>A fresh copy of the cached root inside <paramref name="into"/>.</summary>
    public static string CopyTo(TempDirectory into)
    {
        lock (Gate)
        {
            if (!File.Exists(Path.Combine(Cached, "etc/debian_version")))
            {
                var building = Cached + ".partial";
                // Twice at most: a mirror that drops one download must not fail the package tests.
                ToolResult? made = null;
                for (var attempt = 0; attempt < 2 && made is not { ExitCode: 0 }; attempt++)
                {
                    Tool.Run("rm", "-rf", building).EnsureSuccess("rm");
                    made = Tool.Run("debootstrap", ["--variant=minbase", "--include=systemd,libssl3", "bookworm", building, "http://deb.debian.org/debian"],
                        TimeSpan.FromMinutes(10));
                }
                made!.EnsureSuccess("debootstrap bookworm");
                Directory.Move(building, Cached);
            }
        }
        var root = into.File("root");
        Tool.Run("cp", "-a", Cached, root).EnsureSuccess("copying the Debian 12 root");
        return root;
    }
}
