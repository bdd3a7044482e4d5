using Klp.Check.Conformance;
using Klp.Check.Explore;

namespace Klp.Check.Tests.Explore;

public class LoopbackHostTests
{
    [Theory]
    [InlineData("localhost:8101")]
    [InlineData("LocalHost:8101")]
    [InlineData("127.0.0.1:8101")]
    [InlineData("[::1]:8101")]
    public void Allowed_LoopbackNameWithTheServersPort_True(string host) =>
        Assert.True(LoopbackHost.Allowed(host, [8101]));

    [Theory]
    [InlineData("localhost:8102")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:08101x")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("evil.example:8101")]
    [InlineData("localhost.evil.example:8101")]
    [InlineData("127.0.0.1.nip.io:8101")]
    [InlineData("127.0.0.2:8101")]
    [InlineData("[::2]:8101")]
    [InlineData("[::1]8101")]
    [InlineData("[::1")]
    [InlineData("0.0.0.0:8101")]
    [InlineData("user@localhost:8101")]
    [InlineData("")]
    [InlineData(null)]
    public void Allowed_AnyOtherHost_False(string? host) =>
        Assert.False(LoopbackHost.Allowed(host, [8101]));

    [Fact]
    public void Allowed_Port80_MayBeLeftOut() =>
        Assert.True(LoopbackHost.Allowed("localhost", [80]));

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("localhost:5", true)]
    [InlineData("evil.example", false)]
    public void Allowed_NoPortKnown_ChecksTheNameOnly(string host, bool allowed) =>
        Assert.Equal(allowed, LoopbackHost.Allowed(host, []));
}
