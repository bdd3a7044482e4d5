using System.Numerics;
using Klp.Check.Model;

namespace Klp.Check.Equivalence;

/// <summary>What lockstep exploration compares after every step (docs/semantics.md section 2.2, "Observables").</summary>
[Flags]
public enum Observed : byte
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>The outcome: accepted, or refused with errno and reason; and what it replaced or removed.</summary>
    Outcome = 1,
    /// <summary>The enabled patches, in list order.</summary>
    Enabled = 2,
    /// <summary>The active implementation of every function.</summary>
    Active = 4,
    /// <summary>The active states: id, version and <c>block_disable</c> flag.</summary>
    States = 8,
    /// <summary>The set numbers each enabled patch occupies, in list order.</summary>
    Sets = 16,
    /// <summary>During a transition, the code switched and unswitched tasks run for every function (outside one it is <see cref="Active"/>).</summary>
    Runs = 32,
    /// <summary>Every observable.</summary>
    All = Outcome | Enabled | Active | States | Sets | Runs,
}

/// <summary>The names of <see cref="Observed"/> values as the tool prints and parses them.</summary>
public static class ObservedText
{
    private static readonly (Observed Flag, string Name)[] names =
    [
        (Observed.Outcome, "outcome"), (Observed.Enabled, "enabled"), (Observed.Active, "active"),
        (Observed.States, "states"), (Observed.Sets, "sets"), (Observed.Runs, "runs"),
    ];

    /// <summary>The observable names, in the order reports list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. names.Select(n => n.Name)];

    /// <summary>The names of the flags set, in report order.</summary>
    public static IReadOnlyList<string> Format(Observed observed) =>
        [.. names.Where(n => (observed & n.Flag) != 0).Select(n => n.Name)];

    /// <summary>Parses a comma-separated list of observable names, or <c>all</c>; null with a message on error.</summary>
    public static Observed? Parse(string text, out string? error)
    {
        error = null;
        var result = Observed.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "all")
            {
                result |= Observed.All;
                continue;
            }
            var i = Array.FindIndex(names, n => n.Name == part);
            if (i < 0)
            {
                error = $"unknown observable '{part}' (known: all, {string.Join(", ", Names)})";
                return null;
            }
            result |= names[i].Flag;
        }
        if (result == Observed.None) error = "no observable given";
        return result == Observed.None ? null : result;
    }
}
