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
        // 52:54:00:aa:00:01 is assigned room-a in Machines: a report without "job" counts there.
        Assert.False(await Report("52:54:00:aa:00:01", null, ProgressStates.Downloading));
        Assert.False(await Report("52:54:00:aa:01:02", "room-a", ProgressStates.Downloading));
        Assert.False(await Report("52:54:00:aa:00:01", null, ProgressStates.Seeding));
        // A machine that failed will never finish: it does not hold the room back.
        Assert.False(await Report("52:54:00:aa:01:03", "room-a", ProgressStates.Checking));
        Assert.False(await Report("52:54:00:aa:01:03", "room-a", ProgressStates.Failed));
        Assert.True(await Report("52:54:00:aa:01:02", "room-a", ProgressStates.Done));
        Assert.True(await Report("52:54:00:aa:00:01", null, ProgressStates.Seeding));
    }

    [Fact]
    public async Task With_expected_machines_the_room_waits_for_that_many()
    {
        Assert.False(await Report("52:54:00:aa:00:02", "room-b", ProgressStates.Seeding)); // listed in room-b, which expects 2.
        Assert.False(await Report("52:54:00:aa:02:02", "room-b", ProgressStates.Downloading));
        Assert.True(await Report("52:54:00:aa:02:02", "room-b", ProgressStates.Seeding));
    }
}
