using System.Globalization;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Cli;

/// <summary>
/// Where the running server is, for `eziopxe status`, `deploy` and `wake`: --server, else
/// $EZIOPXE_SERVER, else the configuration `serve` would read (--config, $EZIOPXE_CONFIG,
/// ./eziopxe.json, /etc/eziopxe/eziopxe.json: Server:Address and Server:HttpPort; 0.0.0.0 means
/// this host), else http://127.0.0.1:8080. <see cref="Source"/> says which, for error messages.
/// </summary>
public sealed record ServerLocator(Uri BaseUri, string Source)
{
    public const string Hint = "point it at the server with --server HOST:PORT, $EZIOPXE_SERVER or --config FILE";

    /// <summary>Null with an error when --server or the configuration holds something unusable.</summary>
    public static (ServerLocator? Server, string? Error) Find(string? server, string? configFile)
    {
        string source;
        if (server != null)
        {
            source = "--server";
        }
        else if (Environment.GetEnvironmentVariable("EZIOPXE_SERVER") is { Length: > 0 } fromEnvironment)
        {
            server = fromEnvironment;
            source = "$EZIOPXE_SERVER";
        }
        else if ((configFile ?? ServeCommand.DefaultConfigFile()) is { } file)
        {
            try
            {
                var configuration = ConfigurationLoader.Build(file, []);
                var address = configuration["Server:Address"] is { Length: > 0 } a ? a : "0.0.0.0";
                if (address is "0.0.0.0" or "::")
                {
                    address = "127.0.0.1";
                }
                var port = configuration["Server:HttpPort"] is { Length: > 0 } p ? p : "8080";
                server = (address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address) + ":" + port;
                source = "Server:Address and Server:HttpPort of " + Path.GetFullPath(file);
            }
            catch (ConfigurationException e)
            {
                return (null, $"{file}: {e.Message}");
            }
        }
        else
        {
            server = "127.0.0.1:8080";
            source = "the default (no --server, $EZIOPXE_SERVER or configuration file)";
        }
        if (!server.Contains("://", StringComparison.Ordinal))
        {
            server = "http://" + server;
        }
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, $"'{server}' (from {source}) is not an http:// URL");
        }
        return (new ServerLocator(uri, source), null);
    }

    public Uri Url(string path) => new(BaseUri, path);

    /// <summary>"http://10.0.0.1:8080/status: Connection refused (server from ...; point it ...)".</summary>
    public string Unreachable(string path, Exception e) =>
        string.Create(CultureInfo.InvariantCulture, $"{Url(path)}: {e.Message} (server address from {Source}; {Hint})");
}
