namespace Klp.Check.Benchmarks;

/// <summary>Words the reports of this project share.</summary>
internal static class ReportWords
{
    /// <summary>A thread count in words: "one thread", "2 threads".</summary>
    public static string Threads(int threads) => threads == 1 ? "one thread" : $"{threads} threads";
}
