namespace Klp.Check.Inputs;

/// <summary>Which of two inputs a run reports a trace from: the fewest features first (a trace on plain releases says more), then the shortest trace, then the lowest index (docs/bounds.md).</summary>
/// <remarks>Verdicts (<c>Candidate</c>) and distinguishing traces (<c>PairPartial</c>) pick by it, so one run over every input and a merge of shards pick the same input.</remarks>
public static class InputOrder
{
    /// <summary>True when the input <paramref name="index"/>, whose trace has <paramref name="length"/> operations, comes before the input <paramref name="otherIndex"/>.</summary>
    public static bool Before(InputFeatures features, int length, int index, InputFeatures otherFeatures, int otherLength, int otherIndex) =>
        features < otherFeatures || features == otherFeatures && (length < otherLength || length == otherLength && index < otherIndex);
}
