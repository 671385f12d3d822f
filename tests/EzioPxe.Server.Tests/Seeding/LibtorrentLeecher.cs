using System.Globalization;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>tests/interop/libtorrent_peer.py (Debian's python3-libtorrent) as a leecher that finds its peers through our tracker.</summary>
internal static class LibtorrentLeecher
{
    public static BackgroundProcess Start(string torrentPath, string directory, int timeoutSeconds) =>
        BackgroundProcess.Start("/usr/bin/python3", new[]
        {
            RepositoryPaths.Of("tests/interop/libtorrent_peer.py"), "leech", torrentPath, directory,
            "--port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            "--timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            // Stay and seed after completing, as our clients do until the room is done.
            "--stay",
        });
}
