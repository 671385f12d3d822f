using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Tracker;

namespace EzioPxe.Server.Tracker;

/// <summary>The bencoded bodies the tracker sends (BEP 3 announce, BEP 23/7 compact peers, BEP 48 scrape).</summary>
public static class TrackerResponses
{
    /// <summary>BEP 3: a failed request still gets 200 and a dictionary whose "failure reason" says why.</summary>
    public static byte[] Failure(string reason)
    {
        var root = new BDictionary();
        root.Set("failure reason", reason);
        return BencodeWriter.Encode(root);
    }

    public static byte[] Announce(AnnounceResult result, AnnounceQuery query, TimeSpan interval, TimeSpan minInterval)
    {
        var root = new BDictionary();
        root.Set("interval", (long)interval.TotalSeconds);
        root.Set("min interval", (long)minInterval.TotalSeconds);
        root.Set("complete", result.Counts.Complete);
        root.Set("incomplete", result.Counts.Incomplete);
        root.Set("downloaded", result.Counts.Downloaded);
        if (query.Compact)
        {
            var v4 = result.Peers.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetwork).ToList();
            var v6 = result.Peers.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetworkV6).ToList();
            root.Set("peers", Compact(v4, 6));
            if (v6.Count > 0)
            {
                root.Set("peers6", Compact(v6, 18));
            }
        }
        else
        {
            var list = new BList();
            foreach (var peer in result.Peers)
            {
                var entry = new BDictionary();
                entry.Set("ip", peer.EndPoint.Address.ToString());
                entry.Set("port", peer.EndPoint.Port);
                if (!query.NoPeerId)
                {
                    entry.Set("peer id", peer.PeerId);
                }
                list.Items.Add(entry);
            }
            root.Set("peers", list);
        }
        return BencodeWriter.Encode(root);
    }

    /// <summary>
    /// BEP 48: "files" is keyed by the raw 20-byte info-hashes. Written by hand because BDictionary
    /// takes text keys; bencode wants the keys in raw byte order.
    /// </summary>
    public static byte[] Scrape(IEnumerable<(byte[] InfoHash, SwarmCounts Counts)> torrents)
    {
        var output = new ArrayBufferWriter<byte>(256);
        Write(output, "d5:filesd");
        foreach (var (infoHash, counts) in torrents.OrderBy(t => t.InfoHash, ByteOrder.Instance))
        {
            BencodeWriter.WriteString(output, infoHash);
            Write(output, "d8:complete");
            BencodeWriter.WriteInteger(output, counts.Complete);
            Write(output, "10:downloaded");
            BencodeWriter.WriteInteger(output, counts.Downloaded);
            Write(output, "10:incomplete");
            BencodeWriter.WriteInteger(output, counts.Incomplete);
            Write(output, "e");
        }
        Write(output, "ee");
        return output.WrittenSpan.ToArray();
    }

    private static void Write(ArrayBufferWriter<byte> output, string ascii) => output.Write(System.Text.Encoding.ASCII.GetBytes(ascii));

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    private static byte[] Compact(List<TrackedPeer> peers, int size)
    {
        var bytes = new byte[peers.Count * size];
        for (var i = 0; i < peers.Count; i++)
        {
            var endPoint = peers[i].EndPoint;
            CompactPeers.Write(bytes.AsSpan(i * size, size), new IPEndPoint(endPoint.Address, endPoint.Port));
        }
        return bytes;
    }
}
