using System.Net;
using System.Net.Sockets;

namespace EzioPxe.Server.Service;

/// <summary>One port `serve` binds, with what it is for (named in the error when it is taken).</summary>
public sealed record ServePort(ProtocolType Protocol, int Port, IPAddress Address, string Purpose);
