using System.Text.RegularExpressions;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Packaging;

/// <summary>
/// The Debian package (./build.sh package makes out/eziopxe.deb) installed into a clean Debian 12
/// root: `eziopxe` is on PATH and says its version, the unit passes `systemd-analyze verify`,
/// the unit's ExecStart line runs in the root (its own PID, mount and network namespaces, since
/// systemd itself cannot run as PID 1 here) and sends READY=1 on $NOTIFY_SOCKET once HTTP
/// answers, then stops on SIGTERM; `dpkg -r` and `dpkg -P` leave none of its files.
/// </summary>
[Trait("Needs", "root")]
public sealed partial class DebianPackageTests
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);

    private static string Package
    {
        get
        {
            var deb = RepositoryPaths.Of("out/eziopxe.deb");
            Assert.True(File.Exists(deb), $"{deb} is missing: run ./build.sh package first");
            return deb;
        }
    }

    [Fact]
    public void Installs_on_debian_12_runs_as_its_unit_says_and_uninstalls_cleanly()
    {
        using var temp = new TempDirectory("eziopxe-deb");
        var root = Debian12Root.CopyTo(temp);
        File.Copy(Package, Path.Combine(root, "tmp/eziopxe.deb"));
        var debVersion = Tool.Run("dpkg-deb", "-f", Package, "Version").EnsureSuccess("dpkg-deb -f").StandardOutput.Trim();

        // Install: dpkg alone, so a dependency the clean system lacks fails here.
        var install = InRoot(root, "dpkg", "-i", "/tmp/eziopxe.deb").EnsureSuccess("dpkg -i eziopxe.deb");
        Assert.Contains("systemctl enable --now eziopxe", install.StandardOutput);
        var files = InRoot(root, "dpkg", "-L", "eziopxe").EnsureSuccess("dpkg -L").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Contains("/usr/lib/eziopxe/boot/initramfs.img", files);
        Assert.Contains("/usr/lib/eziopxe/tftp/undionly.kpxe", files);

        // On PATH, and says what it is: the version and the commit the package was built from.
        var version = InRoot(root, "sh", "-c", "command -v eziopxe && eziopxe --version").EnsureSuccess("eziopxe --version").StandardOutput;
        var match = VersionLine().Match(version);
        Assert.True(match.Success, $"unexpected --version output: {version}");
        Assert.StartsWith("/usr/bin/eziopxe\n", version, StringComparison.Ordinal);
        Assert.Contains(debVersion.Split('.')[^1], match.Groups["commit"].Value, StringComparison.Ordinal); // The deb's version ends with the short commit.
        Assert.StartsWith(match.Groups["version"].Value + "+git", debVersion, StringComparison.Ordinal);

        // The unit as systemd reads it (with the root's own systemd units), then its ExecStart line run by hand.
        var unitPath = Path.Combine(root, "lib/systemd/system/eziopxe.service");
        var unit = File.ReadAllText(unitPath);
        Assert.Contains("Type=notify", unit);
        Assert.Contains("Restart=on-failure", unit);
        var verify = Tool.Run("systemd-analyze", ["verify", "--root=" + root, "eziopxe.service"], TimeSpan.FromMinutes(1));
        Assert.True(verify.ExitCode == 0 && verify.StandardError.Trim().Length == 0, $"systemd-analyze verify: {verify.StandardOutput}{verify.StandardError}");
        var execStart = unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');
        Assert.Equal(["/usr/bin/eziopxe", "serve", "--config", "/etc/eziopxe/eziopxe.json"], execStart);
        RunsUntilStoppedAndSaysReady(root, execStart);

        // Remove keeps the conffile (Debian policy); purge takes it and the state directory too.
        InRoot(root, "dpkg", "-r", "eziopxe").EnsureSuccess("dpkg -r");
        Assert.False(File.Exists(Path.Combine(root, "usr/bin/eziopxe")) || Path.Exists(Path.Combine(root, "usr/bin/eziopxe")));
        Assert.False(Directory.Exists(Path.Combine(root, "usr/lib/eziopxe")));
        Assert.False(File.Exists(unitPath));
        Assert.True(File.Exists(Path.Combine(root, "etc/eziopxe/eziopxe.json")));
        InRoot(root, "dpkg", "-P", "eziopxe").EnsureSuccess("dpkg -P");
        var left = files.Where(f => !Directory.Exists(Path.Combine(root, f.TrimStart('/'))) && Path.Exists(Path.Combine(root, f.TrimStart('/')))).ToList();
        Assert.Empty(left);
        Assert.False(Directory.Exists(Path.Combine(root, "etc/eziopxe")));
        Assert.False(Directory.Exists(Path.Combine(root, "usr/share/doc/eziopxe")));
        Assert.NotEqual(0, InRoot(root, "dpkg", "-s", "eziopxe").ExitCode);
    }

    /// <summary>
    /// The unit's command, in the root, in a network namespace of its own (the default
    /// configuration listens on 0.0.0.0:8080), with NOTIFY_SOCKET as systemd would set it.
    /// </summary>
    private static void RunsUntilStoppedAndSaysReady(string root, string[] execStart)
    {
        var netns = $"eziopxe-deb-{Environment.ProcessId}";
        Tool.Run("ip", "netns", "add", netns).EnsureSuccess("ip netns add");
        try
        {
            Tool.Run("ip", "-n", netns, "link", "set", "lo", "up").EnsureSuccess("lo up");
            Directory.CreateDirectory(Path.Combine(root, "run/systemd"));
            using var notify = new NotifySocket(Path.Combine(root, "run/systemd/notify"));
            using var server = BackgroundProcess.Start("ip",
                ["netns", "exec", netns, "unshare", "--fork", "--pid", "--mount", "--kill-child", "--mount-proc=" + Path.Combine(root, "proc"),
                 "env", "-i", "NOTIFY_SOCKET=/run/systemd/notify", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                 "chroot", root, .. execStart]);
            var ready = notify.WaitFor("READY=1", Start);
            Assert.True(ready != null, $"no READY=1 within {Start.TotalSeconds} s; server said:\n{server.Output}");
            Assert.Contains("MAINPID=", ready);

            // READY means listening: the status endpoint answers at once.
            var status = Tool.Run("ip", ["netns", "exec", netns, "curl", "-sf", "--max-time", "10", "http://127.0.0.1:8080/status"], TimeSpan.FromSeconds(30));
            Assert.True(status.ExitCode == 0, $"GET /status after READY=1: {status.StandardError}\n{server.Output}");
            Assert.Contains("\"images\"", status.StandardOutput);

            // systemctl stop sends SIGTERM to the main process: STOPPING=1, then exit 0.
            var pid = Tool.Run("ip", "netns", "pids", netns).EnsureSuccess("ip netns pids").StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Single(p => File.ReadAllText($"/proc/{p}/comm").Trim() == "eziopxe");
            Tool.Run("kill", "-TERM", pid).EnsureSuccess("kill -TERM");
            Assert.NotNull(notify.WaitFor("STOPPING=1", TimeSpan.FromSeconds(30)));
            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(30)), "serve did not stop within 30 s of SIGTERM");
            Assert.True(server.ExitCode == 0, $"serve exited {server.ExitCode}:\n{server.Output}");
        }
        finally
        {
            Tool.Run("ip", "netns", "del", netns);
        }
    }

    /// <summary>A command in the root, with /proc mounted for it only (private mount and PID namespaces, gone when it exits).</summary>
    private static ToolResult InRoot(string root, params string[] command) =>
        Tool.Run("unshare", ["--fork", "--pid", "--mount", "--kill-child", "--mount-proc=" + Path.Combine(root, "proc"), "chroot", root, .. command], TimeSpan.FromMinutes(3));

    [GeneratedRegex(@"^eziopxe (?<version>\d+\.\d+\.\d+) \(commit (?<commit>[0-9a-f]{40}), \.NET \d+\.\d+\.\d+\)$", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
