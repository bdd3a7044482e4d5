using System.Globalization;

namespace Klp.Check.Explore;

/// <summary>Which <c>Host</c> headers the explorer answers: a loopback name with the port it listens on, so that a page of another site whose name a DNS server points at 127.0.0.1 (DNS rebinding) gets nothing.</summary>
public static class LoopbackHost
{
    /// <summary>The names that reach this machine without a DNS lookup.</summary>
    public static IReadOnlyList<string> Names { get; } = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>True when a <c>Host</c> header is <c>localhost</c>, <c>127.0.0.1</c> or <c>[::1]</c> with one of the ports the server listens on (no port only for port 80); with no port known (a server hosted in a test), any port or none.</summary>
    public static bool Allowed(string? host, IReadOnlyCollection<int> ports)
    {
        if (string.IsNullOrEmpty(host)) return false;
        string name;
        string? port = null;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            if (close < 0) return false;
            name = host[..(close + 1)];
            var rest = host[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') return false;
                port = rest[1..];
            }
        }
        else
        {
            var colon = host.IndexOf(':');
            name = colon < 0 ? host : host[..colon];
            if (colon >= 0) port = host[(colon + 1)..];
        }
        if (!Names.Contains(name, StringComparer.OrdinalIgnoreCase)) return false;
        int? number = null;
        if (port is not null)
        {
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit)) return false;
            number = int.Parse(port, CultureInfo.InvariantCulture);
            if (number is 0 or > 65535) return false;
        }
        if (ports.Count == 0) return true;
        return ports.Contains(number ?? 80);
    }
}
