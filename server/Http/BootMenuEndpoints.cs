using System.Net;
using EzioPxe.Server.Status;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Menus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /ipxe/{mac}.ipxe (and the other generated menus): the same files TFTP serves, over HTTP for iPXE.
/// A machine's own menu (it carries its report key, and asking for it counts as its boot) goes only
/// to the address this server's DHCP leased that machine, when it runs full DHCP (<see cref="LeasedAddresses"/>).
/// GET /netboot/{file}: the boot loaders of NetBoot:TftpRoot, for UEFI HTTP boot (NetBoot:HttpBoot).
/// </summary>
public static class BootMenuEndpoints
{
    public static void Map(WebApplication app)
    {
        foreach (var prefix in new[] { "ipxe", "pxelinux.cfg", "grub" })
        {
            app.MapGet($"/{prefix}/{{name}}", (string name, HttpContext context, IServiceProvider services, LeasedAddresses leased) =>
            {
                if (MenuMachine.Of(name) is { } mac && leased.Refusal(mac, context.Connection.RemoteIpAddress ?? IPAddress.None) is { } refusal)
                {
                    return Results.Text(refusal + "\n", statusCode: 403);
                }
                if (services.GetService(typeof(BootMenuFiles)) is not BootMenuFiles menus || !menus.TryGet($"{prefix}/{name}", out var content))
                {
                    return Results.NotFound();
                }
                return Results.Bytes(content.ToArray(), "text/plain; charset=utf-8");
            });
        }
        // EDK2's HTTP boot asks HEAD first (for the size) and gives up when that fails.
        app.MapMethods("/" + NetBootSettings.HttpLoaderPath + "{**path}", ["GET", "HEAD"], (string? path, IServiceProvider services) =>
        {
            if (services.GetService(typeof(NetBootSettings)) is not NetBootSettings { HttpBoot: true, TftpRoot: { } root }
                || BootFileEndpoints.Confine(root, path ?? "") is not { } file)
            {
                return Results.NotFound();
            }
            return Results.File(file, "application/efi", enableRangeProcessing: true);
        });
    }
}
