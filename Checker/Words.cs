namespace Klp.Check;

/// <summary>How reports count things in words.</summary>
public static class Words
{
    /// <summary>"1 input", "2 inputs": a count with its noun.</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
