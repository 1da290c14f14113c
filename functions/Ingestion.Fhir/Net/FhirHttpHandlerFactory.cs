using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Ingestion.Fhir.Net;

/// <summary>
/// Builds the only HTTP handler the FHIR clients use, so their safety does not depend on how a caller builds an
/// HttpClient: no automatic redirects (the clients follow them through their URL policy), no automatic decompression
/// (byte-exact resume and decoded-size caps), no cookies, no proxy (a proxy would resolve names where the connect
/// check cannot see them), TLS 1.2 or 1.3, and a connect callback that resolves the host itself and connects only to
/// addresses <see cref="NetworkAddressPolicy"/> allows.
/// </summary>
public static class FhirHttpHandlerFactory
{
    public static SocketsHttpHandler Create(FhirHttpHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            // Headers are tiny in this protocol; a server streaming endless headers is cut at 64 KiB.
            MaxResponseHeadersLength = 64,
            SslOptions = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 },
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, options, cancellationToken),
        };
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, FhirHttpHandlerOptions options, CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await (options.ResolveHost ?? Dns.GetHostAddressesAsync)(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // Every address must pass: a name answering with one public and one internal address is refused whole.
        foreach (var address in addresses)
        {
            if (NetworkAddressPolicy.Refusal(address, options.AllowPrivateNetwork) is { } reason)
                throw new RefusedAddressException(host, reason);
        }
        // Connect to the addresses just checked (never re-resolve), so a rebinding DNS answer cannot slip in.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
