
namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// Entry point of the test assembly when run as a program: the network-boot tests start it inside
/// a network namespace to run our DHCP and TFTP servers there (a namespace is per process, not
/// per thread pool). The test runner itself never calls this.
/// </summary>
public static class NetBootTestHost
{
    public static Task<int> Main(string[] args) => args is ["netboot", .. var rest]
        ? NetBootCommand.RunAsync(rest)
        : Task.FromResult(Fail());

    private static int Fail()
    {
        Console.Error.WriteLine("usage: EzioPxe.Server.Tests netboot ARGS (see NetBootCommand)");
        return 2;
    }

    /// <summary>The command that runs this entry point: dotnet + this assembly.</summary>
    public static string[] Command(params string[] args) =>
        [DotnetHost, typeof(NetBootTestHost).Assembly.Location, "netboot", .. args];

    /// <summary>The dotnet running the tests (the SDK sets DOTNET_HOST_PATH), so PATH inside the namespace does not matter.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
