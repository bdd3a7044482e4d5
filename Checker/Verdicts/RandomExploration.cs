using FsCheck.Fluent;
using FsCheck;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Microsoft.FSharp.Core;
using Property = Klp.Check.Properties.Property;

namespace Klp.Check.Verdicts;

/// <summary>A random exploration's outcome: the seed that reproduces it, and the minimal counterexample if one was found.</summary>
/// <param name="Seed">The seed; <c>--seed</c> with it reproduces the run exactly.</param>
/// <param name="Runs">How many runs were tried (before shrinking).</param>
/// <param name="Counterexample">The shrunk failing run, or null.</param>
/// <param name="Property">The property it violates.</param>
/// <param name="Message">What the run shows.</param>
public sealed record RandomResult(ulong Seed, int Runs, Trace? Counterexample, Property? Property, string? Message)
{
    /// <summary>How many runs were checked before the end or an interruption.</summary>
    public int Checked { get; init; }

    /// <summary>True when cancelled before every run was checked.</summary>
    public bool Interrupted { get; init; }
}

/// <summary>Random long runs with FsCheck: safety invariants as a property, shrinking to a minimal counterexample.</summary>
public static class RandomExploration
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>A seed from the clock, for runs the user did not seed.</summary>
    public static ulong FreshSeed() => (ulong)DateTime.UtcNow.Ticks * 6364136223846793005UL + 1442695040888963407UL >> 1;

    /// <summary>Checks the safety properties among <paramref name="invariants"/> on random runs of catalogs from <paramref name="catalogs"/>.</summary>
    /// <remarks>When <paramref name="cancel"/> fires, the remaining runs are skipped and the result says how many were checked.</remarks>
    public static RandomResult Run(Gen<Catalog> catalogs, Reading reading, IReadOnlyList<Property> invariants, int runs, int maxLength, ulong seed,
        CancellationToken cancel = default)
    {
        var checkedRuns = 0;
        var safety = invariants.Where(i => i.IsSafety && i.NotApplicable(reading) is null).ToList();
        var gen = from catalog in catalogs
                  from length in Gen.Choose(1, maxLength)
                  from ops in Generators.Operations(catalog, length)
                  select new Trace(catalog, reading, ops);
        Trace? smallest = null;
        Property? which = null;
        string? message = null;
        var property = Prop.ForAll(Arb.From(gen, Generators.ShrinkTrace), run =>
        {
            if (cancel.IsCancellationRequested) return true;
            if (smallest is null) checkedRuns++;
            var (inv, msg) = FirstViolation(run, safety);
            if (inv is null) return true;
            if (smallest is null || run.Operations.Count <= smallest.Operations.Count)
            {
                smallest = run;
                which = inv;
                message = msg;
            }
            return false;
        });
        var replay = new Replay(new Rnd(seed, Gamma), FSharpOption<int>.None);
        var config = Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true).WithReplay(FSharpOption<Replay>.Some(replay));
        try
        {
            property.Check(config);
        }
        catch (Exception e) when (smallest is not null && e is not OutOfMemoryException)
        {
            // FsCheck reports the shrunk counterexample by throwing; the smallest failing run was captured above.
        }
        if (smallest is not null)
        {
            // Trim the run to the step where the violation first shows.
            var trimmed = smallest;
            while (trimmed.Operations.Count > 1 && FirstViolation(trimmed with { Operations = [.. trimmed.Operations.SkipLast(1)] }, safety).Property is not null)
                trimmed = trimmed with { Operations = [.. trimmed.Operations.SkipLast(1)] };
            smallest = WithoutUnusedPatches(trimmed, safety);
            (which, message) = FirstViolation(smallest, safety);
        }
        return new RandomResult(seed, runs, smallest, which, message)
        {
            Checked = checkedRuns,
            Interrupted = cancel.IsCancellationRequested,
        };
    }

    /// <summary>The run on a catalog holding only the patches its operations name (and those they refer to), if it still fails.</summary>
    public static Trace WithoutUnusedPatches(Trace run, IReadOnlyList<Property> safety)
    {
        var c = run.Catalog;
        var keep = new bool[c.Count];
        foreach (var op in run.Operations)
            if (op.Patch < c.Count) keep[op.Patch] = true;
        for (var changed = true; changed;)
        {
            changed = false;
            for (var p = 0; p < c.Count; p++)
            {
                if (!keep[p]) continue;
                foreach (var name in new[] { c[p].AutoOf, c[p].Updates })
                    if (name is not null && c.IndexOf(name) is var q and >= 0 && !keep[q]) keep[q] = changed = true;
            }
        }
        if (keep.All(k => k)) return run;
        var map = new int[c.Count];
        var patches = new List<Patch>();
        for (var p = 0; p < c.Count; p++)
        {
            map[p] = patches.Count;
            if (keep[p]) patches.Add(c[p]);
        }
        try
        {
            var smaller = new Catalog(patches, c.AddSetsVariants.Skip(1));
            var ops = run.Operations.Select(o => o.Patch < c.Count ? o with { Patch = (byte)map[o.Patch] } : o).ToArray();
            var candidate = new Trace(smaller, run.Reading, ops);
            return FirstViolation(candidate, safety).Property is not null ? candidate : run;
        }
        catch (CatalogException)
        {
            return run;
        }
    }

    /// <summary>The first safety property a run violates, checked on the states and transitions it visits.</summary>
    public static (Property? Property, string? Message) FirstViolation(Trace run, IReadOnlyList<Property> safety)
    {
        var found = PropertyChecks.OnTrace(safety, run);
        for (var k = 0; k < safety.Count; k++)
            if (found[k].Finding.Found) return (safety[k], found[k].Finding.Message);
        return (null, null);
    }
}
