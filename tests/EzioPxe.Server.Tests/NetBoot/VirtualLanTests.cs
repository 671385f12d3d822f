using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>The virtual LAN harness itself: hosts reach each other over the bridge, and nothing is left behind.</summary>
[Trait("Needs", "root")]
public sealed class VirtualLanTests
{
    private static string Namespaces() => Tool.Run("ip", "netns", "list").StandardOutput;

    [Fact]
    public void Hosts_on_the_bridge_reach_the_server_side_and_everything_is_removed_on_dispose()
    {
        string[] names;
        using (var lan = VirtualLan.Create("10.77.0.1/24"))
        {
            var a = lan.AddHost("10.77.0.10/24");
            var b = lan.AddHost("10.77.0.11/24");
            var tap = lan.AddTap();
            a.Namespace.Run(TimeSpan.FromSeconds(20), BusyboxInitramfs.Busybox, "ping", "-c", "1", "-W", "5", "10.77.0.1").EnsureSuccess("ping server side");
            b.Namespace.Run(TimeSpan.FromSeconds(20), BusyboxInitramfs.Busybox, "ping", "-c", "1", "-W", "5", "10.77.0.10").EnsureSuccess("ping other host");
            Assert.Contains(tap, lan.Server.Ip("link", "show", "master", VirtualLan.BridgeName).StandardOutput, StringComparison.Ordinal);
            Assert.Equal("10.77.0.42", lan.Address(42).ToString());
            // A process left running inside must not keep the namespace alive.
            a.Namespace.Start("sleep", ["600"]);
            names = [lan.Server.Name, a.Namespace.Name, b.Namespace.Name];
            Assert.All(names, n => Assert.Contains(n, Namespaces(), StringComparison.Ordinal));
        }
        Assert.All(names, n => Assert.DoesNotContain(n, Namespaces(), StringComparison.Ordinal));
    }

    [Fact]
    public void Two_lans_with_the_same_subnet_do_not_collide()
    {
        using var first = VirtualLan.Create();
        using var second = VirtualLan.Create();
        Assert.NotEqual(first.Server.Name, second.Server.Name);
        first.AddHost("10.66.0.2/24");
        second.AddHost("10.66.0.2/24");
    }
}
