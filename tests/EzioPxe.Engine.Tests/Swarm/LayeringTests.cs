using System.Text.RegularExpressions;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>The wire layer (engine/Peers) knows nothing of the swarm layer (engine/Swarm) that uses it.</summary>
public partial class LayeringTests
{
    [Fact]
    public void Peers_does_not_depend_on_Swarm()
    {
        var files = Directory.EnumerateFiles(RepositoryPaths.Of("engine/Peers"), "*.cs").ToList();
        Assert.NotEmpty(files);
        var swarmTypes = Directory.EnumerateFiles(RepositoryPaths.Of("engine/Swarm"), "*.cs")
            .Select(f => Path.GetFileNameWithoutExtension(f).Split('.')[0]).Distinct().ToList();
        Assert.Contains("TorrentSession", swarmTypes);
        foreach (var file in files)
        {
            // Code only: doc comments may name the layer above.
            var code = string.Join('\n', File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            Assert.DoesNotContain("EzioPxe.Engine.Swarm", code, StringComparison.Ordinal);
            foreach (var type in swarmTypes)
            {
                Assert.False(Word(type).IsMatch(code), $"{Path.GetFileName(file)} uses {type} from engine/Swarm");
            }
        }
    }

    private static Regex Word(string name) => new($@"\b{Regex.Escape(name)}\b");
}
