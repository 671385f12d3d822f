using System.Net.NetworkInformation;
using EzioPxe.Contracts.Machines;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tasks;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The per-machine part of a boot menu's kernel command line: <c>ezio.key</c> (the machine's
/// report key for its job) and <c>ezio.infohash</c> (its image's info-hash, so a torrent swapped
/// on the way is refused). Empty for the default menus, which know no MAC.
/// </summary>
public sealed class MachineBootParameters(ServerSettings settings, MachineKeys keys, ImageCatalog catalog, MachineLifecycle lifecycle)
{
    public string For(PhysicalAddress? address)
    {
        if (address == null || address.GetAddressBytes() is not { Length: 6 } octets)
        {
            return "";
        }
        var mac = MacAddress.FromBytes(octets);
        // The boot plan has already decided (and claimed any task): the job of its task, if any.
        var job = lifecycle.JobFor(mac, claim: false);
        if (job == null)
        {
            return "";
        }
        var infoHash = catalog.Find(settings.Jobs[job].Image!)?.Torrent.InfoHash.ToHex();
        return $"ezio.key={keys.For(mac, job)}" + (infoHash == null ? "" : $" ezio.infohash={infoHash}");
    }
}
