using System.Net;
using System.Net.Sockets;

namespace Ingestion.Fhir.Net;

/// <summary>
/// Which IP addresses the FHIR clients may open a connection to. Checked on the resolved address at connect time,
/// so a DNS name, an IPv4-mapped, IPv4-compatible, 6to4 or NAT64 spelling of an internal address, or a name that
/// re-resolves between check and use (DNS rebinding) cannot reach it. Link-local and cloud metadata addresses are
/// refused always; loopback and private ranges unless the source explicitly allows a private network.
/// </summary>
public static class NetworkAddressPolicy
{
    private static readonly IPAddress AwsImdsV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Null when a connection to <paramref name="address"/> is allowed, else why not (no address in it).</summary>
    public static string? Refusal(IPAddress address, bool allowPrivateNetwork)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ip = Embedded(address);
        if (ip.AddressFamily == AddressFamily.InterNetwork) return RefusalV4(ip.GetAddressBytes(), allowPrivateNetwork);
        var b = ip.GetAddressBytes();
        if (ip.IsIPv6LinkLocal || ip.Equals(AwsImdsV6)) return "a link-local or cloud metadata address";
        if (ip.Equals(IPAddress.IPv6Any) || ip.IsIPv6Multicast) return "not a unicast address";
        if (allowPrivateNetwork) return null;
        if (ip.Equals(IPAddress.IPv6Loopback)) return "a loopback address";
        // fc00::/7 unique-local, fec0::/10 site-local, 64:ff9b:1::/48 local-use NAT64.
        if ((b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) || IsLocalNat64(b)) return "a private network address";
        return null;
    }

    private static string? RefusalV4(byte[] b, bool allowPrivateNetwork)
    {
        // 169.254/16 (AWS/Azure/GCP metadata), 100.100.100.200 (Alibaba), 168.63.129.16 (Azure wire server).
        if ((b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] == 100 && b[2] == 100 && b[3] == 200) || (b[0] == 168 && b[1] == 63 && b[2] == 129 && b[3] == 16))
            return "a link-local or cloud metadata address";
        if (b[0] == 0 || b[0] >= 224) return "not a unicast address";
        if (allowPrivateNetwork) return null;
        if (b[0] == 127) return "a loopback address";
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 198 && (b[1] & 0xFE) == 18) || (b[0] == 192 && b[1] == 0 && b[2] == 0))
            return "a private network address";
        return null;
    }

    /// <summary>The IPv4 address an IPv6 spelling stands for (mapped, compatible, NAT64, 6to4), else the address itself.</summary>
    private static IPAddress Embedded(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip;
        if (ip.IsIPv4MappedToIPv6) return ip.MapToIPv4();
        var b = ip.GetAddressBytes();
        // 64:ff9b::/96 well-known NAT64 and 64:ff9b:1::/48 local-use (RFC 8215, commonly /96 too): last 32 bits.
        if ((b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) || IsLocalNat64(b))
            return new IPAddress(b.AsSpan(12, 4));
        // ::a.b.c.d IPv4-compatible (deprecated, still routed by some stacks); not :: or ::1.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && (b[12] | b[13]) != 0) return new IPAddress(b.AsSpan(12, 4));
        // 2002:AABB:CCDD::/48 6to4 embeds AA.BB.CC.DD.
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));
        return ip;
    }

    private static bool IsLocalNat64(byte[] b) => b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0 && b[5] == 1;
}
