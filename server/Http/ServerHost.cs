using EzioPxe.Server.Capture;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tasks;
using EzioPxe.Server.WakeOnLan;
using EzioPxe.Server.Tracker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Http;

/// <summary>
/// Builds the `serve` process: Kestrel on Server:Address:HttpPort with every endpoint, the tracker,
/// the origin seeder (a hosted service) and whatever other hosted services the caller adds (network boot).
/// </summary>
public static class ServerHost
{
    /// <summary>
    /// Loads the images (making missing torrents) and builds the host; throws
    /// <see cref="ConfigurationException"/> when an image cannot be served.
    /// </summary>
    /// <param name="addServices">More services, e.g. the DHCP/TFTP hosted services; they start after the seeder, in order added.</param>
    public static WebApplication Build(ServerSettings settings, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection, ServerSettings>? addServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "eziopxe", ContentRootPath = AppContext.BaseDirectory });
        // Only our own sources (eziopxe.json, EZIOPXE_*, command line): no appsettings.json, no ASPNETCORE_URLS.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(settings.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(settings.Configuration.GetSection("Logging"));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // "Hosting failed to start" comes with a stack trace; serve prints the one-line reason itself.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Address, settings.Server.HttpPort);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.Server.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(settings.Tracker);
        services.AddSingleton(sp => ImageCatalog.Load(settings, sp.GetRequiredService<ILoggerFactory>().CreateLogger("EzioPxe.Images")));
        services.AddSingleton<TrackerService>();
        services.AddSingleton<OriginSeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<OriginSeeder>());
        if (settings.Tracker.UdpPort != 0)
        {
            services.AddSingleton<UdpTrackerService>();
            services.AddHostedService(sp => sp.GetRequiredService<UdpTrackerService>());
        }
        // A room with tasks has expected machines: then only they decide it (MachineRegistry).
        services.AddSingleton(sp => new MachineRegistry(settings, hasTasks: job => sp.GetRequiredService<TaskStore>().HasTasks(job)));
        services.AddSingleton(_ => MachineKeys.Load(settings));
        services.AddSingleton(_ => new KeyIssuance(settings.Server.MachinesPerAddress));
        services.AddSingleton<LeasedAddresses>();
        services.AddSingleton<StatusCollector>();
        // Deploy on demand (server/Tasks): tasks and history live in DataDirectory.
        services.AddSingleton(_ => TaskStore.Open(settings.Server.DataDirectory));
        services.AddSingleton(_ => DeploymentHistory.Open(settings.Server.DataDirectory));
        services.AddSingleton(sp => new BootSightings());
        services.AddSingleton<MachineLifecycle>();
        services.AddSingleton<ControlAccess>();
        services.AddSingleton(_ => new WakeOnLanSender(settings.NetBoot?.Interface));
        services.AddSingleton<CaptureStore>();
        // Network boot (server/NetBoot: DHCP/proxyDHCP, TFTP) plugs in here, as more hosted services.
        addServices?.Invoke(services, settings);

        var app = builder.Build();
        app.Services.GetRequiredService<ImageCatalog>(); // Load (or make) every torrent now: a bad image stops the start.
        try
        {
            app.Services.GetRequiredService<MachineLifecycle>(); // Reads tasks.json and history.json: a broken one stops the start.
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationException([e.Message]);
        }
        app.Services.GetRequiredService<MachineKeys>(); // Likewise the report key: an unwritable DataDirectory stops the start.
        app.Services.GetRequiredService<StatusCollector>(); // Now, so that /status startedAt is the server's start, not the first request's.
        if (settings.AllowedNetworks.Count > 0)
        {
            // Server:AllowedNetworks: hosts outside the deployment networks get nothing but this.
            app.Use(async (context, next) =>
            {
                if (!settings.IsAllowed(context.Connection.RemoteIpAddress))
                {
                    context.Response.StatusCode = 403;
                    await context.Response.WriteAsync("this server serves only Server:AllowedNetworks\n");
                    return;
                }
                await next(context);
            });
        }
        TrackerEndpoints.Map(app);
        TorrentEndpoints.Map(app);
        JobEndpoints.Map(app);
        BootFileEndpoints.Map(app);
        ProgressEndpoints.Map(app);
        StatusEndpoints.Map(app);
        ExtentEndpoints.Map(app);
        BootMenuEndpoints.Map(app);
        TaskEndpoints.Map(app);
        CaptureEndpoints.Map(app);
        return app;
    }
}
