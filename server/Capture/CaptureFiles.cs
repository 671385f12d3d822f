namespace EzioPxe.Server.Capture;

/// <summary>
/// The files of one capture in the capture directory: the finished image and torrent, and while
/// it runs the sparse partial image, its plan and the log of received ranges (one line per range
/// written and flushed: "offset length sha256"), which is what makes a capture resumable even
/// across a server restart.
/// </summary>
public sealed record CaptureFiles(string Directory, string Name)
{
    public string Image => Path.Combine(Directory, Name + ".img");

    public string Torrent => Path.Combine(Directory, Name + ".torrent");

    public string Partial => Path.Combine(Directory, Name + ".img.partial");

    public string Plan => Path.Combine(Directory, Name + ".capture.json");

    public string Log => Path.Combine(Directory, Name + ".capture.log");

    public static string DirectoryOf(Configuration.ServerOptions server) =>
        Path.GetFullPath(server.CaptureDirectory ?? Path.Combine(server.DataDirectory, "captures"));
}
