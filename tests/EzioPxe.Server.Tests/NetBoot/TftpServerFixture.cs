using System.Net;
using System.Text;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Tftp;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>A TFTP server on loopback over a root with ordinary files, symlinks in and out, and one generated file.</summary>
public sealed class TftpServerFixture : IAsyncLifetime
{
    public const string GeneratedPath = "pxelinux.cfg/generated";
    public const string GeneratedText = "DEFAULT generated\n";

    private readonly TempDirectory _directory = new("eziopxe-tftp");

    public TftpServerFixture()
    {
        Root = _directory.File("root");
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        Big = new byte[3 * 1024 * 1024 + 123];
        new Random(42).NextBytes(Big);
        File.WriteAllBytes(Path.Combine(Root, "big.bin"), Big);
        // Exactly 4 blocks of 512: the transfer must end with an empty fifth block.
        File.WriteAllBytes(Path.Combine(Root, "exact.bin"), Big[..2048]);
        File.WriteAllText(Path.Combine(Root, "sub", "hello.txt"), "hello\nworld\n");
        File.WriteAllText(_directory.File("secret.txt"), "outside the root");
        File.CreateSymbolicLink(Path.Combine(Root, "inside-link"), "sub/hello.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "escape-link"), _directory.File("secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape-dir"), _directory.Path);
        Server = new TftpServer(new TftpServerOptions { Root = Root, ListenAddress = IPAddress.Loopback, Port = 0, RetransmitTimeout = TimeSpan.FromMilliseconds(300),
            // Every test client is 127.0.0.1; TftpAbuseTests checks the per-address limit itself.
            MaxTransfersPerClient = 64,
            // 3 s, not 0.9, for a test client's first ACK: twelve clients at once on a loaded host
            // once answered too late and the server had given the transfer up. TftpAbuseTests
            // checks that rule with its own server.
            UnacknowledgedRetransmissions = 10 },
            new OneGeneratedFile());
    }

    public string Root { get; }

    public byte[] Big { get; }

    public TftpServer Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    public string Url(string path) => $"tftp://127.0.0.1:{EndPoint.Port}/{path}";

    public string Scratch(string name) => _directory.File(name);

    public Task InitializeAsync() => Server.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _directory.Dispose();
    }

    private sealed class OneGeneratedFile : IGeneratedFiles
    {
        public bool TryGet(string path, out ReadOnlyMemory<byte> content)
        {
            if (path == "broken")
            {
                throw new InvalidOperationException("this menu cannot be rendered");
            }
            content = Encoding.ASCII.GetBytes(GeneratedText);
            return path == GeneratedPath;
        }
    }
}
