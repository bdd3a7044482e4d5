using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>Readings that no trace over the inputs distinguishes, with the evidence.</summary>
/// <param name="Members">The readings, in the order given; the first represents the class.</param>
/// <param name="Inputs">The inputs on which every member was compared.</param>
/// <param name="ProductStates">The product states explored to show the members equivalent (0 for a class of one).</param>
public sealed record EquivalenceClass(IReadOnlyList<Reading> Members, int Inputs, long ProductStates)
{
    /// <summary>The reading that represents the class in distinguishing traces.</summary>
    public Reading Representative => Members[0];
}

/// <summary>The shortest trace that tells two classes apart, found on their representatives.</summary>
/// <param name="First">The index of the first class.</param>
/// <param name="Second">The index of the second class.</param>
/// <param name="Input">The index of the input the trace runs on: the first, in enumeration order, with a trace this short.</param>
/// <param name="InputText">That input: the plan or the catalog.</param>
/// <param name="Divergence">The trace, what differed, and each representative's side of the last step.</param>
/// <param name="DistinguishingInputs">On how many inputs some trace tells the classes apart.</param>
public sealed record ClassDifference(int First, int Second, int Input, string InputText, Divergence Divergence, int DistinguishingInputs);

/// <summary>The equivalence classes of several readings over an input source, and what separates each pair of classes.</summary>
/// <param name="Source">What was explored.</param>
/// <param name="Readings">The readings, in the order given.</param>
/// <param name="Observed">The observables compared.</param>
/// <param name="SetsNote">Why occupied sets were not compared although asked for, or null.</param>
/// <param name="Classes">The classes, ordered by their first member.</param>
/// <param name="Differences">For each pair of classes (first index smaller), the shortest distinguishing trace on the inputs with the fewest features (docs/bounds.md).</param>
/// <param name="ProductStates">Product states explored in total.</param>
/// <param name="Transitions">Product transitions applied in total.</param>
/// <param name="Cut">Explorations a cap cut, as "input N: cap"; equivalence then holds only within the caps.</param>
/// <param name="Complete">False when interrupted: the classes are then not established.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record EquivalenceResult(
    InputSource Source,
    IReadOnlyList<Reading> Readings,
    Observed Observed,
    string? SetsNote,
    IReadOnlyList<EquivalenceClass> Classes,
    IReadOnlyList<ClassDifference> Differences,
    long ProductStates,
    long Transitions,
    IReadOnlyList<string> Cut,
    bool Complete,
    TimeSpan Elapsed)
{
    /// <summary>True when every reading is in one class.</summary>
    public bool AllEquivalent => Classes.Count <= 1;

    /// <summary>True when no cap cut a lockstep exploration; otherwise a class claims only that no trace in the explored part tells its readings apart.</summary>
    public bool Exhaustive => Cut.Count == 0;

    /// <summary>The shortest of the distinguishing traces (ties: the first pair of classes), or null.</summary>
    public ClassDifference? Shortest
    {
        get
        {
            ClassDifference? best = null;
            foreach (var d in Differences)
                if (best is null || d.Divergence.Length < best.Divergence.Length) best = d;
            return best;
        }
    }
}

/// <summary>Groups readings by trace equivalence over every input of a source, by lockstep exploration.</summary>
/// <remarks>
/// Two readings are equivalent when, on every input, no sequence of operations makes their observables
/// differ (<see cref="Lockstep"/>). Occupied sets are compared only when every reading has sets and every
/// reading sees the same set numbers: always on raw catalogs, and on release plans when every reading uses
/// the same encoder. Set numbers of different encoders mean nothing to each other, and upstream has no sets;
/// comparing sets for some pairs only would make the relation intransitive. Inputs are explored in parallel;
/// results do not depend on the thread count.
/// </remarks>
public static class Classifier
{
    /// <summary>The observables that can be compared among these readings, and why sets were dropped if they were.</summary>
    public static Observed Comparable(InputSource source, IReadOnlyList<Reading> readings, Observed asked, out string? note)
    {
        note = null;
        if ((asked & Observed.Sets) == 0 || readings.Count < 2) return asked;
        foreach (var r in readings)
            if (!r.HasSets)
            {
                note = $"occupied sets not compared: {r.DisplayName} has no sets";
                return asked & ~Observed.Sets;
            }
        var sameEncoding = readings.All(r => r.Encoding == readings[0].Encoding);
        // A raw catalog is the same for every reading; a release plan is encoded anew by each.
        if (sameEncoding || source.Count == 0 || source.SharedByReadings) return asked;
        note = "occupied sets not compared: the readings encode release plans with different set numbers";
        return asked & ~Observed.Sets;
    }

    /// <summary>Computes the classes and, for each pair of classes, the shortest distinguishing trace over every input.</summary>
    public static EquivalenceResult Classes(InputSource source, IReadOnlyList<Reading> readings, ExploreLimits limits,
        int threads = 0, CancellationToken cancel = default, Observed observed = Observed.All, Action<string>? progress = null) =>
        EquivalencePartial.Check(source, readings, limits, null, alone: true, threads, cancel, observed, progress).Finish(source, readings, limits, observed);

    /// <summary>One catalog per reading for an input; readings with the same encoder share one, and every reading one of a source whose readings share catalogs.</summary>
    public static Catalog[] Catalogs(InputSource source, int input, IReadOnlyList<Reading> readings)
    {
        var result = new Catalog[readings.Count];
        for (var k = 0; k < readings.Count; k++)
        {
            for (var j = 0; j < k && result[k] is null; j++)
                if (source.SharedByReadings || readings[j].Encoding == readings[k].Encoding) result[k] = result[j];
            result[k] ??= source.CatalogFor(input, readings[k]);
        }
        return result;
    }
}
