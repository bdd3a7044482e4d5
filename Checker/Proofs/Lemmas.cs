using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>A candidate strengthening invariant: a named predicate on one state, kept only if proved inductive.</summary>
/// <param name="Name">A stable name, as reports list it.</param>
/// <param name="Holds">The predicate on a state.</param>
public sealed record Lemma(string Name, Func<SymbolicState, Term> Holds);

/// <summary>The candidate lemmas of a reading: structural facts of every reachable kernel state, and the pairwise facts behind the state properties, each stated for both ways a running transition can end.</summary>
/// <remarks>
/// Which candidates survive is decided by <see cref="Prover"/> (Houdini: drop every candidate that
/// some step from a state satisfying all of them breaks, until none is broken), so a candidate
/// that is not an invariant costs a query, never a wrong proof.
/// </remarks>
public static class Lemmas
{
    /// <summary>The candidates for a reading over a symbolic catalog.</summary>
    public static List<Lemma> Candidates(SymbolicKernel kernel, SymbolicProperties props, bool auto)
    {
        var c = kernel.Catalog;
        var t = c.T;
        var r = c.Reading;
        var list = new List<Lemma>
        {
            new("list-loaded", s => t.Subset(s.InList, s.Loaded)),
            new("pinned-loaded", s => t.Subset(s.Pinned, s.Loaded)),
            new("transition-in-list", s => t.And(t.Subset(s.Trans, s.InList), t.AtMostOneBit(s.Trans))),
            new("quiescent-clean", s => t.Implies(t.Not(s.InTransition(t)), t.And(t.IsZero(s.Replacing), t.Not(s.Target)))),
            new("replacing-in-list", s => t.And(t.Subset(s.Replacing, s.InList), t.Not(t.Meets(s.Replacing, s.Trans)))),
            new("no-transition", s => t.Not(s.InTransition(t))),
            new("canonical", s => t.And(c.Per(p => t.Ite(t.Bit(s.InList, p),
                t.Subset(s.Older[p], t.BvAnd(s.InList, t.BvNot(t.BitConst(c.N, p)))),
                t.And(t.IsZero(s.Older[p]), t.IsZero(s.Param[p]), t.IsZero(s.Auto[p])))))),
            new("list-order", s =>
            {
                var pairs = new List<Term>();
                for (var p = 0; p < c.N; p++)
                    for (var q = p + 1; q < c.N; q++)
                        pairs.Add(t.Implies(t.And(t.Bit(s.InList, p), t.Bit(s.InList, q)), t.Xor(t.Bit(s.Older[q], p), t.Bit(s.Older[p], q))));
                return t.And(pairs);
            }),
            new("loading-patch-newest", s => t.Implies(t.NonZero(s.Replacing),
                t.Subset(t.BvAnd(s.InList, t.BvNot(s.Trans)), t.Select(s.Trans, s.Older)))),
            new("entries-loadable", s => t.And(c.Per(p => t.Implies(t.Bit(s.InList, p), Loadable(c, s, p))))),
        };
        if (auto)
            list.Add(new("allocated-sets", s => t.And(c.Per(p => t.Implies(t.Bit(s.InList, p),
                t.Ite(c.IsAuto[p], t.And(t.OneBit(s.Auto[p]), t.Not(t.Bit(s.Auto[p], 0))), t.IsZero(s.Auto[p])))))));
        if (r.HasSets) list.Add(Disjoint("sets-disjoint", props, props.Occupied));
        if (r.Options.Isolation != Isolation.None)
        {
            list.Add(Disjoint("functions-disjoint", props, _ => c.Funcs));
            if (c.Exact) list.Add(Disjoint("spellings-disjoint", props, _ => c.Per(c.ExactFuncs)));
        }
        list.Add(Disjoint("states-disjoint", props, _ => c.StateMask));
        return list;
    }

    // What a patch in the list satisfies because its load was accepted: attributes the reading can express, no function named twice.
    private static Term Loadable(SymbolicCatalog c, SymbolicState s, int p)
    {
        var t = c.T;
        var r = c.Reading;
        var parts = new List<Term> { t.Not(c.NamesTwice(p)) };
        if (r.HasSets && r.Arity == SetArity.Single) parts.Add(t.Not(c.Multi(p)));
        if (r.HasSets && r.Zero == ZeroRule.OnlyByZero)
            parts.AddRange([t.Not(c.ZeroMisused(p)), t.Not(t.Bit(s.Param[p], 0)), t.Implies(c.ZeroOnly(p), t.IsZero(s.Param[p]))]);
        return t.And(parts);
    }

    // No two entries overlap in a per-patch value, among the entries that stay whichever way a running transition ends.
    private static Lemma Disjoint(string name, SymbolicProperties props, Func<SymbolicState, Term[]> values) =>
        new(name, s => props.NoClashEitherWay(s, values(s)));
}
