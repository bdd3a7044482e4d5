using System.Runtime.CompilerServices;
using Klp.Check.Conformance;
using Klp.Check.Model;

namespace Klp.Check.Tests.Model;

public class KernelStateTests
{
    // docs/performance.md and the explorer's prefetching (two cache lines per state) count on it.
    [Fact]
    public void KernelState_Is84Bytes()
    {
        Assert.Equal(84, Unsafe.SizeOf<KernelState>());
    }

    [Fact]
    public void Effect_CarriesEveryErrnoReasonAndA32BitMask()
    {
        foreach (var errno in Enum.GetValues<Errno>().Where(e => e != Errno.None))
            foreach (var reason in Enum.GetValues<Reason>())
            {
                var refused = Effect.Refuse(errno, reason);
                Assert.Equal((errno, reason, 0UL, false), (refused.Errno, refused.Reason, refused.Affected, refused.Accepted));
            }
        foreach (var mask in new ulong[] { 0, 1, 0x8000_0000, 0xFFFF_FFFF, 0x1234_5678 })
        {
            var accepted = Effect.Accept(mask);
            Assert.Equal((Errno.None, Reason.None, mask, true), (accepted.Errno, accepted.Reason, accepted.Affected, accepted.Accepted));
        }
    }
}
