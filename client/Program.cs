using EzioPxe.Client.Deployment;
using EzioPxe.Client.Disk;
using EzioPxe.Client.Job;
using EzioPxe.Client.Logging;
using EzioPxe.Client.Power;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client;

/// <summary>
/// eziopxe-client: reads its job from /proc/cmdline (ezio.* parameters), environment (EZIO_*) and
/// --options, deploys the image onto the disk, then does ezio.after. Exit codes are for the init:
/// 0 done, 1 failed (the init opens a shell), 2 bad settings, 10 shell, 11 wait, 12 cancelled by the server.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine("usage: eziopxe-client [--server=HOST[:PORT]] [--job=NAME | --torrent=URL] [--disk=auto|/dev/X] [--after=reboot|poweroff|shell|wait] [--seed=until-done|none|SECONDS] [--log=trace|debug|info|warn|error] [--mac=MAC]");
            Console.WriteLine("The same settings come from ezio.* kernel parameters and EZIO_* environment variables.");
            return ExitCodes.Done;
        }
        ClientSettings settings;
        try
        {
            settings = ClientConfiguration.ReadSettings(args);
        }
        catch (JobConfigurationException e)
        {
            Console.Error.WriteLine($"eziopxe-client: {e.Message}");
            return ExitCodes.BadSettings;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var logger = new ConsoleLogger(settings.LogLevelOrDefault, Console.Error);
        var agent = new DeploymentAgent(settings, http, logger, Console.Out);
        bool succeeded;
        try
        {
            await agent.RunAsync(cancel.Token);
            succeeded = true;
        }
        catch (DeploymentCancelledException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"eziopxe-client: CANCELLED: {e.Message}");
            Console.Error.WriteLine($"not doing ezio.after={Contracts.Jobs.AfterActions.Name(agent.Settings.AfterOrDefault)}: this machine waits; arm it again to deploy");
            return ExitCodes.Cancelled;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("\neziopxe-client: interrupted; the disk is incomplete");
            succeeded = false;
        }
        catch (Exception e) when (e is DeploymentFailedException or JobConfigurationException or DiskRefusedException or DiskSelectionException
            or InvalidTorrentException or LibCException or HttpRequestException or IOException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"eziopxe-client: FAILED: {DeploymentAgent.Describe(e)}");
            Console.Error.WriteLine("the disk was not completed; not rebooting");
            succeeded = false;
        }
        return PowerControl.System.Run(agent.Settings.AfterOrDefault, succeeded, Console.Out);
    }
}
