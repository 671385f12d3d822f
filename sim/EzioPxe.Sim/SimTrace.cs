using System.Globalization;
using System.Text;

namespace EzioPxe.Sim;

/// <summary>
/// Optional measurements of where a room's time goes (<c>--trace</c>), in bins of a tenth of S/B:
/// how busy the machines' uplinks and the origin's were, over how many connections a busy uplink
/// was split at once (each piece crosses a hop at that fraction of the link), how much an uploader
/// had queued, how long a block waited in its uploader's queue before it started on the wire and
/// from its request to its arrival. Plus the connections: dials, refusals, closes. Sums only, a
/// few additions per connection and step; off (null) by default.
/// </summary>
internal sealed class SimTrace
{
    private readonly double _binSeconds;
    private readonly List<Bin> _bins = new();

    public SimTrace(double binSeconds) => _binSeconds = binSeconds;

    public long Dials;
    public long Refused;
    public long ClosedBeforeDone;

    /// <summary>Link bytes a connection was given in a step but had nothing left to send with (the origin's, the machines').</summary>
    public readonly double[] UnusedCredit = new double[2];

    /// <summary>Blocks queued and then not sent: cancelled, or the peer was choked meanwhile (the origin's, the machines').</summary>
    public readonly long[] DroppedBlocks = new long[2];

    private Bin At(double seconds)
    {
        var index = Math.Max(0, (int)(seconds / _binSeconds));
        while (_bins.Count <= index)
        {
            _bins.Add(new Bin());
        }
        return _bins[index];
    }

    /// <summary>One network step: what the uplinks carried and how they were shared (a flow: a connection with at least 1 KiB queued, a block's worth, not a lone "have").</summary>
    public void OnStep(double seconds, long microseconds, List<SimConnection> stepping, IReadOnlyList<SimHost> hosts)
    {
        var bin = At(seconds);
        bin.Steps++;
        foreach (var c in stepping)
        {
            if (c.Local.Index == 0)
            {
                bin.OriginBytes += c.Allocation;
                bin.OriginFlows++;
            }
            else
            {
                bin.ClientBytes += c.Allocation;
                if (c.Allocation > 0 && c.Demand >= 1024)
                {
                    c.Local.TraceFlows++;
                }
                c.Local.TraceQueued += c.Demand;
            }
        }
        foreach (var c in stepping)
        {
            var host = c.Local;
            if (host.TraceFlows > 0)
            {
                bin.BusyUplinks++;
                bin.FlowsPerBusyUplink += host.TraceFlows;
                bin.QueuedPerBusyUplink += host.TraceQueued;
            }
            host.TraceFlows = 0;
            host.TraceQueued = 0;
        }
        bin.Capacity += hosts[1].BytesPerMicrosecond * microseconds;
        bin.Clients = hosts.Count - 1;
    }

    public void OnBlockStarted(double seconds, double waitedMicroseconds)
    {
        var bin = At(seconds);
        bin.Started++;
        bin.QueueWait += waitedMicroseconds;
    }

    public void OnBlockArrived(double seconds, double sinceRequestMicroseconds)
    {
        var bin = At(seconds);
        bin.Arrived++;
        bin.RequestToArrival += sinceRequestMicroseconds;
    }

    public void OnCompleted(double seconds) => At(seconds).Completed++;

    public string Describe(double imageSeconds)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"trace: {Dials} dials, {Refused} refused at admission, {ClosedBeforeDone} connections closed while both ends still downloaded");
        text.AppendLine(CultureInfo.InvariantCulture, $"  link bytes given but not used: origin {UnusedCredit[0] / 1024:0} KiB, machines {UnusedCredit[1] / 1024:0} KiB; blocks queued and not sent: origin {DroppedBlocks[0]}, machines {DroppedBlocks[1]}");
        text.AppendLine("  t/(S/B) | done | machines' uplinks busy | origin's | flows per busy uplink | queued per busy uplink | queue wait | request to block");
        var done = 0;
        for (var i = 0; i < _bins.Count; i++)
        {
            var b = _bins[i];
            done += b.Completed;
            var clientShare = b.Capacity > 0 ? b.ClientBytes / (b.Capacity * b.Clients) : 0;
            var originShare = b.Capacity > 0 ? b.OriginBytes / b.Capacity : 0;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {i * _binSeconds / imageSeconds,5:0.00}   | {done,4} | {clientShare,5:P0} | {originShare,5:P0} | {(b.BusyUplinks > 0 ? b.FlowsPerBusyUplink / b.BusyUplinks : 0),5:0.0} | {(b.BusyUplinks > 0 ? b.QueuedPerBusyUplink / b.BusyUplinks / 1024 : 0),7:0} KiB | {(b.Started > 0 ? b.QueueWait / b.Started / 1000 : 0),6:0} ms | {(b.Arrived > 0 ? b.RequestToArrival / b.Arrived / 1000 : 0),6:0} ms");
        }
        return text.ToString();
    }

    private sealed class Bin
    {
        public long Steps;
        public double ClientBytes;
        public double OriginBytes;
        public long OriginFlows;
        public double Capacity;
        public int Clients;
        public long BusyUplinks;
        public long FlowsPerBusyUplink;
        public double QueuedPerBusyUplink;
        public long Started;
        public double QueueWait;
        public long Arrived;
        public double RequestToArrival;
        public int Completed;
    }
}
