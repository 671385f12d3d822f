using System.Net;
using System.Text;
using System.Text.Json;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Status;
using EzioPxe.TestSupport.Fuzzing;

namespace EzioPxe.Server.Tests.Fuzz;

/// <summary>
/// Mutated progress reports: the contract's JSON reader raises only JsonException, and the running
/// server answers each POST with 200, 400, 403 or 413, never 500, and keeps answering.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class ProgressFuzzTests(ServerFixture fixture)
{
    private async Task<string> ValidReport(string mac) => JsonSerializer.Serialize(new ProgressReport
    {
        Mac = mac, Job = "lab", Key = await MachineReports.KeyAsync(fixture.Server.Http, mac, "lab"), State = ProgressStates.Downloading,
        Hostname = "pc-1", BytesDone = 10, BytesTotal = 100, DownloadRate = 5, Peers = 2, EtaSeconds = 18, Error = "none",
    }, ContractsJsonContext.Default.ProgressReport);

    [Fact]
    public void Mutated_report_json_is_read_or_refused_with_a_json_exception_only()
    {
        var valid = JsonSerializer.Serialize(new ProgressReport { Mac = "52:54:00:00:00:01", State = "seeding", BytesDone = 1, EtaSeconds = 2, Error = "x" }, ContractsJsonContext.Default.ProgressReport);
        var seed = FuzzBudget.Seed(1406);
        var mutator = new Mutator(seed);
        var (read, refused) = (0, 0);
        var iterations = FuzzBudget.Iterations(20_000);
        for (var i = 0; i < iterations; i++)
        {
            // Bytes, as they come off the wire: text mutations (tokens) and byte mutations (broken UTF-8).
            var bytes = i % 2 == 0 ? Encoding.UTF8.GetBytes(mutator.MutateText(valid)) : mutator.Mutate(Encoding.UTF8.GetBytes(valid));
            var text = Mutator.Show(bytes);
            try
            {
                _ = JsonSerializer.Deserialize(bytes, ContractsJsonContext.Default.ProgressReport);
                read++;
            }
            catch (JsonException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {i}: '{text}' threw {e}");
            }
        }
        Assert.True(read > iterations / 20, $"only {read} of {iterations} mutants read (seed {seed})");
        Assert.True(refused > iterations / 20, $"only {refused} of {iterations} mutants refused (seed {seed})");
    }

    [Fact]
    public async Task Mutated_reports_posted_to_the_server_get_a_client_error_or_count_and_never_a_500()
    {
        var valid = await ValidReport("52:54:00:f0:00:01");
        var seed = FuzzBudget.Seed(1407);
        var mutator = new Mutator(seed);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < FuzzBudget.Iterations(400); i++)
        {
            var body = mutator.MutateText(valid, maxMutations: 3);
            using var response = await fixture.Server.Http.PostAsync("progress", new StringContent(body, Encoding.UTF8, "application/json"));
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.RequestEntityTooLarge,
                $"seed {seed}, input {i}: {(int)response.StatusCode} for '{body}'");
        }
        var summary = string.Join(", ", statuses.Select(s => $"{(int)s.Key} x{s.Value}"));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > 20, $"too few mutants counted (seed {seed}): {summary}");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 20, $"too few mutants refused (seed {seed}): {summary}");
        using var after = await MachineReports.PostAsync(fixture.Server.Http, new ProgressReport { Mac = "52:54:00:f0:00:02", Job = "lab", State = ProgressStates.Seeding });
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
