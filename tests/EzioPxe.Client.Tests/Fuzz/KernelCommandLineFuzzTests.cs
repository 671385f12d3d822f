using EzioPxe.Client.Job;
using EzioPxe.Client.Tests.Job;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Fuzzing;

namespace EzioPxe.Client.Tests.Fuzz;

/// <summary>
/// Mutated kernel command lines (as boot loaders and typing at a boot prompt produce them) through
/// the parser and the settings reader: settings, or a JobConfigurationException listing the
/// problems, nothing else. /proc/cmdline is the client's first input and a bad one must never crash it.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class KernelCommandLineFuzzTests
{
    [Fact]
    public void Mutated_command_lines_give_settings_or_a_job_configuration_exception_only()
    {
        var seeds = new[]
        {
            KernelCommandLineTests.Pxelinux,
            KernelCommandLineTests.Ipxe,
            "BOOT_IMAGE=/vmlinuz ezio.server=10.0.0.1:8080 ezio.key=0123456789abcdef0123456789abcdef ezio.infohash=" + new string('a', 40) + " ezio.serverwait=60 console=ttyS0",
            "ezio.server=[fd00::1]:80 ezio.torrent=\"/torrents/lab.torrent\" ezio.disk=ata-ST500DM002_Z3T1 ezio.seed=120 ezio.mac=52-54-00-12-34-56 quiet",
        };
        using var directory = new TempDirectory("cmdline-fuzz");
        var path = directory.File("cmdline");
        var seed = FuzzBudget.Seed(1408);
        var mutator = new Mutator(seed);
        var (read, refused) = (0, 0);
        var iterations = FuzzBudget.Iterations(1_500);
        for (var i = 0; i < iterations; i++)
        {
            // What /proc/cmdline holds are bytes: text mutations, and byte mutations (broken UTF-8).
            var bytes = i % 2 == 0
                ? System.Text.Encoding.UTF8.GetBytes(mutator.MutateText(seeds[i % seeds.Length]))
                : mutator.Mutate(System.Text.Encoding.UTF8.GetBytes(seeds[i % seeds.Length]));
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            try
            {
                _ = KernelCommandLine.Parse(text);
                File.WriteAllBytes(path, bytes);
                // The environment prefix of no variable: only the command line speaks.
                var settings = ClientSettingsReader.Read(ClientConfiguration.Build([], path, "EZIOFUZZNONE_"), "EZIOFUZZNONE_");
                if (settings.Server != null)
                {
                    _ = settings.JobUrl(new Contracts.Machines.MacAddress(0x525400123456));
                }
                _ = settings.AbsoluteTorrentUrl;
                read++;
            }
            catch (JobConfigurationException e)
            {
                Assert.NotEmpty(e.Problems);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, input {i}: '{text}' threw {e}");
            }
        }
        Assert.True(read > iterations / 10, $"only {read} of {iterations} mutants read (seed {seed})");
        Assert.True(refused > iterations / 10, $"only {refused} of {iterations} mutants refused (seed {seed})");
    }
}
