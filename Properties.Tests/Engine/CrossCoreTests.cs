using Klp.Check.Engine;

namespace Klp.Check.Tests.Engine;

public class CrossCoreTests
{
    // A time; NaN when the other thread got no core in time, infinity when it lost it midway:
    // never zero or negative.
    [Fact]
    public async Task Measure_TwoThreads_IsAPositiveTimeOrNothing()
    {
        var line = new CrossCore.Line();

        var answer = Task.Factory.StartNew(() => CrossCore.Answer(line, exchanges: 16, batches: 2), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var ns = CrossCore.Measure(line, exchanges: 16, batches: 2);
        await answer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(double.IsNaN(ns) || ns > 0, $"{ns} ns");
    }

    // Unanswered, the measuring thread gives up and says it measured nothing; an answering
    // thread that comes late is told so and stops at once, rather than wait for a throw.
    [Fact]
    public async Task Measure_NobodyAnswers_GivesUpAndTheLateAnswererStops()
    {
        var line = new CrossCore.Line();

        var ns = CrossCore.Measure(line, exchanges: 4, batches: 1);
        var answered = await Task.Run(() => CrossCore.Answer(line, exchanges: 4, batches: 1)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(double.IsNaN(ns), $"{ns} ns");
        Assert.False(answered);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, 4)]
    public void MeasureAndAnswer_NoExchangeOrNoBatch_Refused(int exchanges, int batches)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossCore.Measure(new CrossCore.Line(), exchanges, batches));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossCore.Answer(new CrossCore.Line(), exchanges, batches));
    }
}
