using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>The kernel state (<see cref="KernelState"/>) as terms: masks over the N patches of a <see cref="SymbolicCatalog"/>, with list order as, per entry, the entries before it.</summary>
/// <remarks>
/// A patch is in the list at most once and is appended at its end, so the list is the set of its
/// entries ordered by load: <see cref="Older"/>[p] holds the entries loaded before p that are still
/// there. The form is canonical: a patch outside the list has no older entries, no
/// <c>add_sets</c> value and no allocated set, as a concrete state has no such entry. Each entry
/// keeps what its occupied sets follow from: its <c>add_sets</c> value and its allocated set.
/// </remarks>
/// <param name="InList">The patches in <c>Patches</c> (N bits).</param>
/// <param name="Loaded">The loaded modules.</param>
/// <param name="Pinned">The modules a forced transition pinned.</param>
/// <param name="Trans">The transition patch alone, or 0 when no transition runs.</param>
/// <param name="Target">The transition's target: true for patched (false when none runs).</param>
/// <param name="Replacing">What the transition replaces when it completes as patched.</param>
/// <param name="Older">Per patch: the entries before it in the list.</param>
/// <param name="Param">Per patch: the <c>add_sets</c> value it was loaded with (U bits).</param>
/// <param name="Auto">Per patch: the set the allocator gave it, alone, or 0.</param>
public sealed record SymbolicState(Term InList, Term Loaded, Term Pinned, Term Trans, Term Target, Term Replacing, Term[] Older, Term[] Param, Term[] Auto)
{
    /// <summary>The empty kernel.</summary>
    public static SymbolicState Empty(SymbolicCatalog c)
    {
        var t = c.T;
        var z = t.Zero(c.N);
        return new SymbolicState(z, z, z, z, t.False, z, c.Per(_ => z), c.Per(_ => t.Zero(c.U)), c.Per(_ => t.Zero(c.U)));
    }

    /// <summary>A state of fresh variables named <c>PREFIX.field</c>; fields the reading never sets are 0: the allocated set without <c>auto</c>, <c>add_sets</c> without the parameter, and in atomic mode the transition and the pinned modules (only Force pins).</summary>
    public static SymbolicState Fresh(SymbolicCatalog c, string prefix, bool auto, bool param)
    {
        var t = c.T;
        var transitions = c.Reading.Options.Granularity == Granularity.TwoPhase;
        return new SymbolicState(
            t.Var(prefix + ".list", c.N), t.Var(prefix + ".loaded", c.N), transitions ? t.Var(prefix + ".pinned", c.N) : t.Zero(c.N),
            transitions ? t.Var(prefix + ".trans", c.N) : t.Zero(c.N), transitions ? t.BoolVar(prefix + ".target") : t.False,
            transitions ? t.Var(prefix + ".replacing", c.N) : t.Zero(c.N),
            c.Per(p => t.Var($"{prefix}.older{p}", c.N)),
            c.Per(p => param ? t.Var($"{prefix}.param{p}", c.U) : t.Zero(c.U)),
            c.Per(p => auto ? t.Var($"{prefix}.auto{p}", c.U) : t.Zero(c.U)));
    }

    /// <summary>Every field, in a fixed order.</summary>
    public IEnumerable<Term> Fields => new[] { InList, Loaded, Pinned, Trans, Target, Replacing }.Concat(Older).Concat(Param).Concat(Auto);

    /// <summary>True when every field equals the other state's.</summary>
    public Term SameAs(Terms t, SymbolicState other) => t.And(Fields.Zip(other.Fields, t.Eq));

    /// <summary>Field by field, <paramref name="a"/> when <paramref name="c"/> holds, else <paramref name="b"/>.</summary>
    public static SymbolicState Ite(Terms t, Term c, SymbolicState a, SymbolicState b) => new(
        t.Ite(c, a.InList, b.InList), t.Ite(c, a.Loaded, b.Loaded), t.Ite(c, a.Pinned, b.Pinned), t.Ite(c, a.Trans, b.Trans),
        t.Ite(c, a.Target, b.Target), t.Ite(c, a.Replacing, b.Replacing),
        [.. a.Older.Zip(b.Older, (x, y) => t.Ite(c, x, y))], [.. a.Param.Zip(b.Param, (x, y) => t.Ite(c, x, y))],
        [.. a.Auto.Zip(b.Auto, (x, y) => t.Ite(c, x, y))]);

    /// <summary>True when a transition runs.</summary>
    public Term InTransition(Terms t) => t.NonZero(Trans);

    /// <summary>The enabled patches: the list, without a patch being disabled.</summary>
    public Term Enabled(Terms t) => t.BvAnd(InList, t.BvNot(t.When(t.And(InTransition(t), t.Not(Target)), Trans)));
}

/// <summary>One operation as terms: its kind (<see cref="OpKind"/> in 3 bits), the patch it names (alone), and for a load its <c>add_sets</c> value.</summary>
/// <param name="Kind">The <see cref="OpKind"/> value.</param>
/// <param name="Patch">The patch alone (N bits); for Force, meaningful only when <see cref="Named"/>.</param>
/// <param name="HasParam">A load passes <c>add_sets</c>.</param>
/// <param name="Param">The <c>add_sets</c> value (U bits; 0 without one).</param>
/// <param name="Named">A Force names a patch rather than "the transition patch".</param>
public sealed record SymbolicOp(Term Kind, Term Patch, Term HasParam, Term Param, Term Named)
{
    /// <summary>An operation of fresh variables named <c>PREFIX.field</c>.</summary>
    public static SymbolicOp Fresh(SymbolicCatalog c, string prefix, bool param) => new(
        c.T.Var(prefix + ".kind", 3), c.T.Var(prefix + ".patch", c.N),
        param ? c.T.BoolVar(prefix + ".hasParam") : c.T.False,
        param ? c.T.Var(prefix + ".param", c.U) : c.T.Zero(c.U),
        c.T.BoolVar(prefix + ".named"));

    /// <summary>Every field of the operation, for reading a model.</summary>
    public IEnumerable<Term> Fields => [Kind, Patch, HasParam, Param, Named];

    /// <summary>True when the operation is of a kind.</summary>
    public Term Is(Terms t, OpKind kind) => t.Eq(Kind, t.Bv(3, (ulong)kind));

    /// <summary>The operations exploration tries (<c>Alphabet.For</c>): a load with or without a non-empty <c>add_sets</c> value, a disable, an unload, and in two-phase mode Complete, Reverse and Force of the transition patch.</summary>
    public Term InAlphabet(Terms t, bool twoPhase, bool named = false)
    {
        var kinds = new List<Term> { Is(t, OpKind.Load), Is(t, OpKind.Disable), Is(t, OpKind.Unload) };
        if (twoPhase) kinds.AddRange([Is(t, OpKind.Complete), Is(t, OpKind.Reverse), Is(t, OpKind.Force)]);
        return t.And(t.Or(kinds), t.OneBit(Patch),
            t.Implies(t.Not(Is(t, OpKind.Load)), t.Not(HasParam)),
            t.Ite(HasParam, t.NonZero(Param), t.IsZero(Param)),
            named ? t.Implies(Named, Is(t, OpKind.Force)) : t.Not(Named));
    }
}
