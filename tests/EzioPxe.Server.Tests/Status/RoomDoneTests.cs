using System.Net.Http.Json;
using EzioPxe.Contracts.Progress;
using EzioPxe.Contracts;
using EzioPxe.Server.Tests.Http;

namespace EzioPxe.Server.Tests.Status;

/// <summary>POST /progress answers roomDone per job: all reporting machines have their image, or ExpectedMachines of them.</summary>
[Collection(ServerCollection.Name)]
public sealed class RoomDoneTests(ServerFixture fixture)
{
    private async Task<bool> Report(string mac, string? job, string state)
    {
        using var response = await MachineReports.PostAsync(fixture.Server.Http,
            new ProgressReport { Mac = mac, Job = job, State = state, BytesDone = 10, BytesTotal = 100 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProgressReply))!.RoomDone;
    }

    [Fact]
    public async Task Room_is_done_when_every_machine_that_started_the_job_has_its_image()
    {
        // room-c: nobody is listed or armed for it, so every machine that reports it counts.
        Assert.False(await Report("52:54:00:aa:03:01", "room-c", ProgressStates.Downloading));
        Assert.False(await Report("52:54:00:aa:03:02", "room-c", ProgressStates.Downloading));
        Assert.False(await Report("52:54:00:aa:03:01", "room-c", ProgressStates.Seeding));
        // A machine that failed will never finish: it does not hold the room back.
        Assert.False(await Report("52:54:00:aa:03:03", "room-c", ProgressStates.Checking));
        Assert.False(await Report("52:54:00:aa:03:03", "room-c", ProgressStates.Failed));
        Assert.True(await Report("52:54:00:aa:03:02", "room-c", ProgressStates.Done));
        Assert.True(await Report("52:54:00:aa:03:01", "room-c", ProgressStates.Seeding));
    }

    [Fact]
    public async Task A_room_with_listed_machines_is_decided_by_them_alone()
    {
        // 52:54:00:aa:00:01 is assigned room-a in Machines: a report without "job" counts there.
        // Unlisted machines naming room-a (any host can mint those) neither hold it open nor finish it.
        Assert.False(await Report("52:54:00:aa:00:01", null, ProgressStates.Downloading));
        Assert.False(await Report("52:54:00:aa:01:02", "room-a", ProgressStates.Done));
        Assert.False(await Report("52:54:00:aa:01:03", "room-a", ProgressStates.Downloading));
        Assert.True(await Report("52:54:00:aa:00:01", null, ProgressStates.Seeding));
        Assert.True(await Report("52:54:00:aa:01:03", "room-a", ProgressStates.Downloading));
    }

    [Fact]
    public async Task With_expected_machines_the_room_waits_for_that_many()
    {
        Assert.False(await Report("52:54:00:aa:04:01", "room-d", ProgressStates.Seeding)); // room-d expects 2.
        Assert.False(await Report("52:54:00:aa:04:02", "room-d", ProgressStates.Downloading));
        Assert.True(await Report("52:54:00:aa:04:02", "room-d", ProgressStates.Seeding));
        // room-b expects 2 and lists one: an unlisted machine is not the second.
        Assert.False(await Report("52:54:00:aa:00:02", "room-b", ProgressStates.Seeding));
        Assert.False(await Report("52:54:00:aa:02:02", "room-b", ProgressStates.Seeding));
    }
}
