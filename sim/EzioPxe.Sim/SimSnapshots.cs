using System.Globalization;
using System.Text;

namespace EzioPxe.Sim;

/// <summary>
/// What each machine had at given moments (<c>--snapshots "0.2 0.6"</c>, in S/B): its pieces, its
/// peers, whether the origin was among them; printed after the run next to when each finished,
/// for the tenth of the room that finished last and the tenth that finished first. It showed that
/// the last machines of a large room were an island of their own (stop 9).
/// </summary>
internal sealed class SimSnapshots(IReadOnlyList<double> times)
{
    private readonly List<(double At, List<(int Pieces, int Peers, bool Origin)> Machines)> _taken = new();

    /// <summary>Seconds (of virtual time) of the next snapshot due, or null when all are taken.</summary>
    public double? NextDue(double imageSeconds) => _taken.Count < times.Count ? times[_taken.Count] * imageSeconds : null;

    public void Take(IReadOnlyList<SimHost> clients, IReadOnlyList<SimConnection> connections)
    {
        var peers = new int[clients.Count];
        var origin = new bool[clients.Count];
        foreach (var c in connections)
        {
            if (c.Local.Index > 0 && c.Peer != null && !c.IsClosing)
            {
                peers[c.Local.Index - 1]++;
                origin[c.Local.Index - 1] |= c.Remote.Index == 0;
            }
        }
        _taken.Add((times[_taken.Count], clients.Select((h, i) => (h.PiecesDone, peers[i], origin[i])).ToList()));
    }

    /// <summary>The fewest peers any machine had at the <paramref name="snapshot"/>-th moment.</summary>
    public int FewestPeers(int snapshot) => _taken[snapshot].Machines.Min(m => m.Peers);

    public string Describe(IReadOnlyList<SimHost> clients)
    {
        var byFinish = Enumerable.Range(0, clients.Count).OrderBy(i => clients[i].CompletedAt ?? double.MaxValue).ToList();
        var tenth = Math.Max(1, clients.Count / 10);
        var first = byFinish.Take(tenth).ToList();
        var last = byFinish.Skip(clients.Count - tenth).ToList();
        var text = new StringBuilder($"snapshots (the {tenth} machines that finished first / last):\n");
        text.AppendLine("  t/(S/B) | pieces min / median / max | peers min / median / max | pieces first / last | peers first / last | with the origin first / last");
        foreach (var (at, machines) in _taken)
        {
            double Mean(List<int> who, Func<(int Pieces, int Peers, bool Origin), double> value) => who.Average(i => value(machines[i]));
            var pieces = machines.Select(m => m.Pieces).Order().ToList();
            var peers = machines.Select(m => m.Peers).Order().ToList();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {at,6:0.00}  | {pieces[0],5} / {pieces[pieces.Count / 2],5} / {pieces[^1],5}      | {peers[0],3} / {peers[peers.Count / 2],3} / {peers[^1],3}          | {Mean(first, m => m.Pieces),6:0} / {Mean(last, m => m.Pieces),6:0}     | {Mean(first, m => m.Peers),4:0} / {Mean(last, m => m.Peers),4:0}        | {Mean(first, m => m.Origin ? 1 : 0),4:P0} / {Mean(last, m => m.Origin ? 1 : 0),4:P0}"));
        }
        return text.ToString();
    }
}
