using System.Globalization;
using System.Text.RegularExpressions;

namespace EzioPxe.TestSupport;

/// <summary>Runs tests/interop/libtorrent_peer.py (Debian's python3-libtorrent) as a real peer.</summary>
public static partial class LibtorrentPeer
{
    public static string Script => RepositoryPaths.Of("tests/interop/libtorrent_peer.py");

    /// <summary>Starts it and waits until it listens; returns the process and its port.</summary>
    public static (BackgroundProcess Process, int Port) Start(string mode, string torrentPath, string directory, params string[] extra)
    {
        var arguments = new List<string> { Script, mode, torrentPath, directory, "--port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture) };
        arguments.AddRange(extra);
        var process = BackgroundProcess.Start("/usr/bin/python3", arguments);
        process.WaitForOutput("listening ", TimeSpan.FromSeconds(30));
        var port = int.Parse(ListeningLine().Match(process.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        return (process, port);
    }

    [GeneratedRegex(@"listening (\d+)")]
    private static partial Regex ListeningLine();
}
