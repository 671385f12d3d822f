using System.Text.Json.Nodes;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Http;

/// <summary>
/// One running server shared by the HTTP, tracker and status tests: one image "lab", a boot
/// directory, and a job per test that counts machines, so tests do not see each other's machines.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("serve");

    internal RunningServer Server { get; private set; } = null!;

    public string ImagePath { get; private set; } = "";

    public string BootDirectory { get; private set; } = "";

    public string Directory => _temp.Path;

    public Torrent Torrent => Server.App.Services.GetService(typeof(ImageCatalog)) is ImageCatalog c ? c.Images[0].Torrent : throw new InvalidOperationException();

    public async Task InitializeAsync()
    {
        ImagePath = TestImage.Create(_temp.File("lab.img"), seed: 1);
        BootDirectory = _temp.File("boot");
        System.IO.Directory.CreateDirectory(Path.Combine(BootDirectory, "ipxe"));
        await File.WriteAllTextAsync(Path.Combine(BootDirectory, "vmlinuz"), "not really a kernel\n");
        await File.WriteAllTextAsync(Path.Combine(BootDirectory, "ipxe", "boot.ipxe"), "#!ipxe\nchain vmlinuz\n");
        await File.WriteAllTextAsync(_temp.File("secret.txt"), "outside the boot directory\n");
        File.CreateSymbolicLink(Path.Combine(BootDirectory, "escape"), _temp.File("secret.txt"));
        var config = RunningServer.Config(_temp.File("data"), ImagePath, c =>
        {
            c["Server"]!["BootDirectory"] = BootDirectory;
            // Every test machine reports from 127.0.0.1; ForgedProgressTests checks the limit itself.
            c["Server"]!["MachinesPerAddress"] = 1000;
            c["Tracker"] = new JsonObject { ["UdpPort"] = FreePort.Udp() };
            var jobs = c["Jobs"]!.AsObject();
            jobs["room-a"] = new JsonObject { ["Image"] = "lab", ["After"] = "poweroff", ["Seed"] = "120", ["Arm"] = "always" };
            jobs["room-b"] = new JsonObject { ["Image"] = "lab", ["ExpectedMachines"] = 2 };
            // Rooms nobody is listed for: decided by whoever reports them (RoomDoneTests).
            jobs["room-c"] = new JsonObject { ["Image"] = "lab" };
            jobs["room-d"] = new JsonObject { ["Image"] = "lab", ["ExpectedMachines"] = 2 };
            jobs["page"] = new JsonObject { ["Image"] = "lab" };
            jobs["cli"] = new JsonObject { ["Image"] = "lab" };
            c["Machines"] = new JsonArray
            {
                new JsonObject { ["Mac"] = "52:54:00:aa:00:01", ["Job"] = "room-a", ["Name"] = "desk-1" },
                new JsonObject { ["Mac"] = "52-54-00-AA-00-02", ["Job"] = "room-b" },
            };
        });
        Server = await RunningServer.StartAsync(config, _temp.Path);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "running server";
}
