namespace Klp.Check;

/// <summary>What a thread count given on the command line (<c>--threads</c>) means.</summary>
public static class Threads
{
    /// <summary>The worker threads a thread count asks for: the count itself, or one per core for 0 (the default).</summary>
    public static int Workers(int threads) => threads > 0 ? threads : Environment.ProcessorCount;
}
