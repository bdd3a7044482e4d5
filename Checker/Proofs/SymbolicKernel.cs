using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>The result of one symbolic step: whether the operation is accepted, what it replaced or removed, and the state after (the state before when refused).</summary>
/// <param name="Accepted">True when accepted.</param>
/// <param name="Affected">The patches it replaced, removed or unloaded (N bits), as <see cref="Outcome.Affected"/>.</param>
/// <param name="Next">The state after.</param>
public sealed record SymbolicOutcome(Term Accepted, Term Affected, SymbolicState Next);

/// <summary><see cref="Kernel.Step"/> as terms: the same checks in the same order for every reading, each policy chosen by the reading's keys (<c>replaces</c>, <c>occupies</c>, <c>zero</c>, <c>arity</c>, <c>add-sets</c>, <c>states-checked-against</c>, <c>isolation</c>, <c>states</c>, <c>function-identity</c>, <c>partial-overlap</c>, <c>mode</c>).</summary>
/// <remarks>
/// Each private method mirrors the method of the same name in Model/Step.cs. The refusal reason is
/// not encoded: a refusal leaves the state as it was whatever its reason, and no safety property
/// reads it. One difference, in no state of the scope: a load the allocator finds no free number
/// for is refused, where Step.cs gives it the last number (see Allocate).
/// </remarks>
public sealed class SymbolicKernel
{
    private readonly SymbolicCatalog c;
    private readonly Reading r;
    private readonly Terms t;

    /// <summary>The encoding of a reading's step over a symbolic catalog.</summary>
    public SymbolicKernel(SymbolicCatalog catalog)
    {
        c = catalog;
        r = catalog.Reading;
        t = catalog.T;
    }

    /// <summary>The catalog.</summary>
    public SymbolicCatalog Catalog => c;

    private bool TwoPhase => r.Options.Granularity == Granularity.TwoPhase;

    /// <summary>Applies one operation.</summary>
    public SymbolicOutcome Step(SymbolicState s, SymbolicOp op)
    {
        if (op.Kind.IsConst)
        {
            // One kind: only its branch (the others would fold away).
            var only = (OpKind)(int)op.Kind.Value switch
            {
                OpKind.Load => Load(s, op),
                OpKind.Disable => Disable(s, op),
                OpKind.Unload => Unload(s, op),
                OpKind.Complete => Complete(s),
                OpKind.Reverse => ReverseWrite(s),
                OpKind.Force => Force(s, op),
                _ => Refused(s),
            };
            return new(only.Accepted, t.When(only.Accepted, only.Affected), SymbolicState.Ite(t, only.Accepted, only.Next, s));
        }
        var load = Load(s, op);
        var disable = Disable(s, op);
        var unload = Unload(s, op);
        var complete = Complete(s);
        var reverse = ReverseWrite(s);
        var force = Force(s, op);
        SymbolicOutcome Pick(OpKind kind, SymbolicOutcome a, SymbolicOutcome b)
        {
            var k = op.Is(t, kind);
            return new(t.Ite(k, a.Accepted, b.Accepted), t.Ite(k, a.Affected, b.Affected), SymbolicState.Ite(t, k, a.Next, b.Next));
        }
        var chosen = Pick(OpKind.Load, load, Pick(OpKind.Disable, disable, Pick(OpKind.Unload, unload,
            Pick(OpKind.Complete, complete, Pick(OpKind.Reverse, reverse, Pick(OpKind.Force, force, Refused(s)))))));
        // A refusal changes nothing: the state after is the state before.
        return new(chosen.Accepted, t.When(chosen.Accepted, chosen.Affected), SymbolicState.Ite(t, chosen.Accepted, chosen.Next, s));
    }

    private SymbolicOutcome Refused(SymbolicState s) => new(t.False, t.Zero(c.N), s);

    /// <summary>The sets the entry of patch q occupies (U bits), as <see cref="Kernel.Occupied"/>.</summary>
    public Term Occupied(SymbolicState s, int q) => r.Membership switch
    {
        Membership.None => t.Zero(c.U),
        Membership.OwnSet => t.Ite(t.NonZero(s.Auto[q]), s.Auto[q], c.Own[q]),
        _ => t.BvOr(t.Ite(t.NonZero(s.Auto[q]), s.Auto[q], c.Listed[q]), s.Param[q]),
    };

    // The sets a patch lists when loaded with an add_sets value and an allocated set.
    private Term Listed(Term listed, Term param, Term auto) => t.BvOr(t.Ite(t.NonZero(auto), auto, listed), param);

    // True when P replaces every entry: upstream's replace flag, or the global set 0.
    private Term ReplacesAll(Term replaceFlag, Term ownIsZero) =>
        r.Replace == ReplaceRule.ByReplaceFlag ? replaceFlag
        : r.Zero == ZeroRule.ReplacesAll ? ownIsZero : t.False;

    // Whether an entry with these occupied sets is in R(P), and whether the reading refuses it as a partial overlap.
    private (Term InR, Term Partial) InReplaced(Term occ, Term listed, Term replaceAll)
    {
        if (r.Replace == ReplaceRule.ByReplaceFlag) return (replaceAll, t.False);
        var meets = t.Meets(occ, listed);
        if (r.Replace == ReplaceRule.Intersecting) return (t.Or(replaceAll, meets), t.False);
        var within = t.Subset(occ, listed);
        var partial = t.And(t.Not(within), meets);
        var refuse = r.Options.PartialOverlap == PartialOverlap.Refuse;
        return (t.Or(replaceAll, within, refuse ? t.False : partial), refuse ? t.And(t.Not(replaceAll), partial) : t.False);
    }

    /// <summary>The attributes of the patch an operation names, selected from the catalog's.</summary>
    private sealed record Named(Term Funcs, Term CompareFuncs, Term States, Term Block, Term[] Version, Term Listed, Term Own, Term Multi,
        Term IsAuto, Term AutoOf, Term Replace, Term Dup, Term ZeroMisused, Term ZeroOnly, Term OwnIsZero);

    private Named Select(Term p) => new(
        t.Select(p, c.Funcs), t.Select(p, c.Per(c.CompareFuncs)), t.Select(p, c.StateMask), t.Select(p, c.BlockMask),
        [.. Enumerable.Range(0, c.S).Select(b => t.Select(p, c.Per(q => c.Version[q][b])))],
        t.Select(p, c.Listed), t.Select(p, c.Own), t.Select(p, c.Per(c.Multi)), t.Select(p, c.IsAuto), t.Select(p, c.AutoOf),
        t.Select(p, c.Replace), t.Select(p, c.Per(c.NamesTwice)), t.Select(p, c.Per(c.ZeroMisused)), t.Select(p, c.Per(c.ZeroOnly)),
        t.Select(p, c.Per(c.OwnIsZero)));

    private SymbolicOutcome Load(SymbolicState s, SymbolicOp op)
    {
        var p = op.Patch;
        var a = Select(p);
        var param = t.When(op.HasParam, op.Param);
        var refusals = new List<Term>
        {
            // 1. The module.
            t.Meets(s.Loaded, p),
            // 2. Attributes and parameters the reading can express.
            r.AddSetsParameter ? t.False : op.HasParam,
        };
        var auto = t.Zero(c.U);
        if (r.HasSets)
        {
            if (r.Arity == SetArity.Single) refusals.Add(a.Multi);
            if (r.Zero == ZeroRule.OnlyByZero)
                refusals.Add(t.Or(a.ZeroMisused, t.Bit(param, 0), t.And(a.ZeroOnly, op.HasParam)));
            var (allocated, full) = Allocate(s, a.AutoOf);
            auto = t.When(a.IsAuto, allocated);
            // No free number: never within the scope (see Allocate), so refusing costs no state.
            refusals.Add(t.And(a.IsAuto, full));
        }
        var listed = Listed(a.Listed, param, auto);
        var replaceAll = ReplacesAll(a.Replace, a.OwnIsZero);
        var exact = r.Options.FunctionIdentity == FunctionIdentity.Exact;

        // 3. Compatibility against every entry.
        var replacedBits = new Term[c.N];
        var replacedExact = t.Zero(exact ? 2 * c.F : c.F);
        var alias = exact ? t.BvAnd(Swap(a.CompareFuncs), t.BvNot(a.CompareFuncs)) : null;
        var clash = new List<Term>();
        for (var q = 0; q < c.N; q++)
        {
            var inList = t.Bit(s.InList, q);
            var (inR, partial) = InReplaced(Occupied(s, q), listed, replaceAll);
            var states = t.And(t.NonZero(c.StateMask[q]), t.Ite(inR, ReplacedStates(a, q), OtherStates(a, q)));
            var funcs = r.Options.Isolation == Isolation.None ? t.False : t.And(t.Not(inR), t.Meets(a.CompareFuncs, c.CompareFuncs(q)));
            refusals.Add(t.And(inList, t.Or(partial, states, funcs)));
            replacedBits[q] = t.And(inList, inR);
            if (exact)
            {
                // klp_add_object_nops() matches Q's functions by exact sympos (Step.cs).
                clash.Add(t.And(replacedBits[q], t.Meets(alias!, c.ExactFuncs(q))));
                replacedExact = t.BvOr(replacedExact, t.When(replacedBits[q], c.ExactFuncs(q)));
            }
        }
        var replaced = t.FromBits(replacedBits);
        if (exact)
        {
            // NopsClash: two nops for the two spellings of one function.
            var nops = t.BvAnd(replacedExact, t.BvNot(a.CompareFuncs));
            clash.Add(t.Meets(t.Extract(nops, c.F - 1, 0), t.Extract(nops, 2 * c.F - 1, c.F)));
        }

        // 4. The sysfs names of the functions, then of the nops.
        refusals.Add(a.Dup);
        refusals.AddRange(clash);

        // 5. One transition at a time.
        refusals.Add(s.InTransition(t));

        var appended = Append(s with { Loaded = t.BvOr(s.Loaded, p) }, p, param, auto);
        var next = TwoPhase
            ? appended with { Trans = p, Target = t.True, Replacing = replaced }
            : RemoveMask(appended, replaced);
        return new(t.Not(t.Or(refusals)), replaced, next);
    }

    // The sympos 0 and sympos 1 halves of an exact function mask, exchanged.
    private Term Swap(Term exact) => t.Concat(t.Extract(exact, c.F - 1, 0), t.Extract(exact, 2 * c.F - 1, c.F));

    // The state rules for an entry P replaces: a refusal when they fail.
    private Term ReplacedStates(Named a, int q)
    {
        if (r.Options.States == StateRules.BlockDisable) return t.Meets(c.BlockMask[q], t.BvNot(a.States));
        var dropped = t.Meets(c.StateMask[q], t.BvNot(a.States));
        var downgrade = t.Or(Enumerable.Range(0, c.S).Select(b => t.And(t.Bit(c.StateMask[q], b), t.Ult(a.Version[b], c.Version[q][b]))));
        return t.Or(dropped, downgrade);
    }

    // The state rules for an entry P does not replace: isolation, or upstream's version rule.
    private Term OtherStates(Named a, int q)
    {
        var shared = t.BvAnd(a.States, c.StateMask[q]);
        if (r.Options.Isolation == Isolation.FunctionsAndStates) return t.NonZero(shared);
        if (r.StatesCheckedAgainstAll && r.Options.States == StateRules.Versions)
            return t.Or(Enumerable.Range(0, c.S).Select(b => t.And(t.Bit(shared, b), t.Ult(a.Version[b], c.Version[q][b]))));
        return t.False;
    }

    // The allocator: the set of auto(H)'s H if it is in the list, else the smallest free number >= 1;
    // and whether no number of the universe is free. Step.cs then takes the last number, but no
    // state of the scope has all of them taken: at most N entries, each occupying one number but
    // a cumulative, which lists at most 1..N, so at most 2N - 1 of the numbers 1 to 2N are taken
    // (docs/proofs.md). The symbolic step refuses that load instead, which changes no state the
    // proofs reach, and spares the solver the counting argument in every state the lemmas allow.
    private (Term Set, Term Full) Allocate(SymbolicState s, Term autoOf)
    {
        var occupied = t.Zero(c.U);
        for (var q = 0; q < c.N; q++) occupied = t.BvOr(occupied, t.When(t.Bit(s.InList, q), Occupied(s, q)));
        var follow = t.Select(autoOf, c.Per(q => Occupied(s, q)));
        var following = t.And(t.Meets(autoOf, s.InList), t.NonZero(follow));
        var free = t.LowestClearBit(t.BvOr(occupied, t.BitConst(c.U, 0)));
        return (t.Ite(following, t.LowestBit(follow), free), t.And(t.Not(following), t.IsZero(free)));
    }

    // Appends P at the end of the list with its add_sets value and allocated set.
    private SymbolicState Append(SymbolicState s, Term p, Term param, Term auto) => s with
    {
        InList = t.BvOr(s.InList, p),
        Older = c.Per(q => t.Ite(t.Bit(p, q), s.InList, s.Older[q])),
        Param = c.Per(q => t.Ite(t.Bit(p, q), param, s.Param[q])),
        Auto = c.Per(q => t.Ite(t.Bit(p, q), auto, s.Auto[q])),
    };

    // Removes the entries of a mask, keeping the form canonical.
    private SymbolicState RemoveMask(SymbolicState s, Term mask)
    {
        var keep = t.BvNot(mask);
        return s with
        {
            InList = t.BvAnd(s.InList, keep),
            Older = c.Per(q => t.Ite(t.Bit(mask, q), t.Zero(c.N), t.BvAnd(s.Older[q], keep))),
            Param = c.Per(q => t.Ite(t.Bit(mask, q), t.Zero(c.U), s.Param[q])),
            Auto = c.Per(q => t.Ite(t.Bit(mask, q), t.Zero(c.U), s.Auto[q])),
        };
    }

    private SymbolicState EndTransition(SymbolicState s) => s with { Trans = t.Zero(c.N), Target = t.False, Replacing = t.Zero(c.N) };

    private SymbolicOutcome Complete(SymbolicState s)
    {
        var removed = t.Ite(s.Target, s.Replacing, s.Trans);
        return new(s.InTransition(t), removed, EndTransition(RemoveMask(s, removed)));
    }

    private SymbolicOutcome Reverse(SymbolicState s) => new(s.InTransition(t), t.Zero(c.N), s with { Target = t.Not(s.Target) });

    // Reverse as a write to the transition patch's enabled (Step.cs ReverseWrite): under
    // states=block-disable a write of 0 to a blocking patch is refused before it reverses.
    private SymbolicOutcome ReverseWrite(SymbolicState s)
    {
        var reverse = Reverse(s);
        return reverse with { Accepted = t.And(reverse.Accepted, t.Not(t.And(s.Target, DisableBlocked(s.Trans)))) };
    }

    // Under states=block-disable, klp_patch_disable_blocked(): the patch (alone in the mask) declares a block_disable state.
    private Term DisableBlocked(Term patch) =>
        r.Options.States == StateRules.BlockDisable ? t.NonZero(t.Select(patch, c.BlockMask)) : t.False;

    private SymbolicOutcome Force(SymbolicState s, SymbolicOp op)
    {
        var noDir = t.And(op.Named, t.Not(t.Meets(op.Patch, s.InList)));
        var notTransition = t.Or(t.Not(s.InTransition(t)), t.And(op.Named, t.Not(t.Eq(op.Patch, s.Trans))));
        var removed = t.Ite(s.Target, s.Replacing, s.Trans);
        var pinned = t.BvOr(s.Pinned, t.BvOr(removed, t.When(s.Target, ForcedBeside(s))));
        return new(t.Not(t.Or(noDir, notTransition)), removed, EndTransition(RemoveMask(s with { Pinned = pinned }, removed)));
    }

    // klp_force_transition(), target patched: the other entries the transition patch's sets cover.
    private Term ForcedBeside(SymbolicState s)
    {
        var tr = s.Trans;
        var listed = Listed(t.Select(tr, c.Listed), t.Select(tr, s.Param), t.Select(tr, s.Auto));
        var replaceAll = ReplacesAll(t.Select(tr, c.Replace), t.Select(tr, c.Per(c.OwnIsZero)));
        return t.FromBits(c.Per(q => t.And(t.Bit(s.InList, q), t.Not(t.Bit(tr, q)), InReplaced(Occupied(s, q), listed, replaceAll).InR)));
    }

    private SymbolicOutcome Disable(SymbolicState s, SymbolicOp op)
    {
        var p = op.Patch;
        var inList = t.Meets(s.InList, p);
        var isTransition = t.And(s.InTransition(t), t.Eq(s.Trans, p));
        var removeNow = TwoPhase
            ? new SymbolicOutcome(t.True, t.Zero(c.N), s with { Trans = p, Target = t.False, Replacing = t.Zero(c.N) })
            : new SymbolicOutcome(t.True, p, RemoveMask(s, p));
        var reverse = Reverse(s);
        // enabled_store(): a write of the current value, then a blocking patch (before the
        // reverse branch), then the reversal of the transition patch, then another transition.
        var accepted = t.And(inList, t.Not(DisableBlocked(p)), t.Ite(isTransition, s.Target, t.Not(s.InTransition(t))));
        return new(accepted, t.Ite(isTransition, reverse.Affected, removeNow.Affected), SymbolicState.Ite(t, isTransition, reverse.Next, removeNow.Next));
    }

    private SymbolicOutcome Unload(SymbolicState s, SymbolicOp op)
    {
        var p = op.Patch;
        var accepted = t.And(t.Meets(s.Loaded, p), t.Not(t.Meets(t.BvOr(s.InList, s.Pinned), p)));
        return new(accepted, p, s with { Loaded = t.BvAnd(s.Loaded, t.BvNot(p)) });
    }

    /// <summary>In two-phase mode the state once the transition completes (as a settled step sees it); else the state itself.</summary>
    public SymbolicState Settle(SymbolicState s)
    {
        if (!TwoPhase) return s;
        var done = Complete(s);
        return SymbolicState.Ite(t, done.Accepted, done.Next, s);
    }

    /// <summary>Whether Reverse is accepted, and the state after it and the Complete that follows (what refusal-is-atomic compares a load with).</summary>
    public (Term Accepted, SymbolicState Restored) ReverseAndComplete(SymbolicState s)
    {
        var reversed = ReverseWrite(s);
        return (reversed.Accepted, Complete(reversed.Next).Next);
    }
}
