using System.Net;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>Who may arm tasks and wake machines: the server's own host, Server:ControlFrom, and only with a JSON body.</summary>
public sealed class ControlAccessTests
{
    private static ControlAccess Access(params string[] controlFrom)
    {
        var settings = new ServerSettings
        {
            Options = new EzioPxeOptions { Server = new ServerOptions { ControlFrom = [.. controlFrom] } },
            Configuration = new ConfigurationBuilder().Build(),
            Address = IPAddress.Any,
            Images = [],
            Jobs = new Dictionary<string, JobOptions>(),
            Machines = new Dictionary<Contracts.Machines.MacAddress, MachineOptions>(),
        };
        return new ControlAccess(settings);
    }

    private static int? Status(ControlAccess access, string remote, string local, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Connection.LocalIpAddress = IPAddress.Parse(local);
        context.Request.ContentType = contentType;
        return access.Refuse(context) is IStatusCodeHttpResult result ? result.StatusCode : null;
    }

    [Fact]
    public void Only_the_servers_host_and_listed_networks_may_control_it()
    {
        var closed = Access();
        Assert.Null(Status(closed, "127.0.0.1", "127.0.0.1"));
        Assert.Null(Status(closed, "::ffff:10.0.0.1", "10.0.0.1")); // the server's own address, from itself
        Assert.Equal(403, Status(closed, "10.0.0.9", "10.0.0.1"));
        Assert.Equal(415, Status(closed, "127.0.0.1", "127.0.0.1", "application/x-www-form-urlencoded"));

        var open = Access("10.0.0.0/24", "192.168.5.7");
        Assert.Null(Status(open, "10.0.0.9", "10.0.0.1"));
        Assert.Null(Status(open, "192.168.5.7", "10.0.0.1"));
        Assert.Equal(403, Status(open, "192.168.5.8", "10.0.0.1"));
        Assert.Equal(403, Status(open, "10.0.1.9", "10.0.0.1"));
    }

    [Fact]
    public void A_bad_control_network_or_arm_mode_is_a_configuration_error_with_its_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Server:ControlFrom:0"] = "10.0.0.0/33",
            ["Images:lab:Source"] = "/dev/null",
            ["Jobs:lab:Image"] = "lab",
            ["Jobs:lab:Arm"] = "sometimes",
        }).Build();
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(config));
        Assert.Contains(error.Problems, p => p.StartsWith("Server:ControlFrom: '10.0.0.0/33' is not an address or network", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Jobs:lab:Arm: 'sometimes' is not on-demand or always", StringComparison.Ordinal));
    }
}
