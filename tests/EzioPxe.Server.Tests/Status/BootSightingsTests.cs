using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Status;

namespace EzioPxe.Server.Tests.Status;

/// <summary>Boot sightings come from DHCP packets any host can forge: the table stays bounded and keeps the newest.</summary>
public sealed class BootSightingsTests
{
    [Fact]
    public void A_flood_of_made_up_macs_keeps_the_table_bounded_and_the_latest_machines()
    {
        var sightings = new BootSightings();
        for (ulong i = 1; i <= BootSightings.MaxMachines + 2500; i++)
        {
            sightings.Record(new MacAddress(0x0200_0000_0000UL + i), MachineStates.Waiting);
        }
        Assert.InRange(sightings.All.Count, BootSightings.MaxMachines * 9 / 10, BootSightings.MaxMachines);
        var last = new MacAddress(0x0200_0000_0000UL + BootSightings.MaxMachines + 2500);
        Assert.Equal(MachineStates.Waiting, sightings.Find(last)!.Phase);

        // A phase change starts a new sighting; the same phase again only moves LastSeen.
        sightings.Record(last, MachineStates.Booting);
        var booting = sightings.Find(last)!;
        Assert.Equal(MachineStates.Booting, booting.Phase);
        sightings.Record(last, MachineStates.Booting);
        Assert.Equal(booting.FirstSeen, sightings.Find(last)!.FirstSeen);
    }
}
