using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>Our netboot services running as a process inside a namespace of a virtual LAN.</summary>
internal static class NetBootServerProcess
{
    public static BackgroundProcess Start(NetworkNamespace ns, params string[] arguments)
    {
        var command = NetBootTestHost.Command(arguments);
        var process = ns.Start(command[0], command[1..], new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
        process.WaitForOutput("netboot ready", TimeSpan.FromSeconds(30));
        return process;
    }
}
