using Klp.Check.Engine;

namespace Klp.Check.Tests.Engine;

public class CrossCoreTests
{
    // A time, or infinity when the other thread got no core in time: never zero, negative or NaN.
    [Fact]
    public void RoundTripNanoseconds_TwoThreads_IsAPositiveTime()
    {
        var ns = CrossCore.RoundTripNanoseconds(exchanges: 16, batches: 2);

        Assert.False(double.IsNaN(ns));
        Assert.True(ns > 0, $"{ns} ns");
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, 4)]
    public void RoundTripNanoseconds_NoExchangeOrNoBatch_Refused(int exchanges, int batches) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossCore.RoundTripNanoseconds(exchanges, batches));
}
