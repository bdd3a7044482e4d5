using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>Whether a safety property judges single states or single steps.</summary>
public enum PropertyShape
{
    /// <summary>A predicate on every reachable state.</summary>
    State,
    /// <summary>A predicate on every accepted (or refused) operation from a reachable state, with the quiescent state it settles in.</summary>
    Step,
}

/// <summary>The safety properties of docs/semantics.md section 5.2 as terms, each the definition its C# check in Checker/Properties implements, over the same observables.</summary>
/// <remarks>
/// The state properties judge quiescent states (<c>StateCheck</c>): one-per-set, no-shared-function,
/// no-shared-state; no-lost-fix judges transition states. The step properties judge an operation
/// with its settled state (<c>SettledStep</c>: in two-phase mode the state after the Complete that
/// follows a load or a disable that left a transition): state-monotonic, block-disable-kept,
/// customer-untouched, hotfixes-absorbed, no-silent-revert, refusal-is-atomic.
/// </remarks>
public sealed class SymbolicProperties(SymbolicKernel kernel)
{
    private readonly SymbolicCatalog c = kernel.Catalog;
    private readonly Terms t = kernel.Catalog.T;

    /// <summary>The ids this encoding covers, with their shape.</summary>
    public static IReadOnlyDictionary<string, PropertyShape> Shapes { get; } = new Dictionary<string, PropertyShape>
    {
        ["one-per-set"] = PropertyShape.State,
        ["no-shared-function"] = PropertyShape.State,
        ["no-shared-state"] = PropertyShape.State,
        ["state-monotonic"] = PropertyShape.Step,
        ["block-disable-kept"] = PropertyShape.Step,
        ["customer-untouched"] = PropertyShape.Step,
        ["hotfixes-absorbed"] = PropertyShape.Step,
        ["no-silent-revert"] = PropertyShape.Step,
        ["no-lost-fix"] = PropertyShape.State,
        ["refusal-is-atomic"] = PropertyShape.Step,
    };

    /// <summary>True when some two patches of a mask have overlapping values (N patches, one value each).</summary>
    /// <remarks>Pair by pair rather than through a running union: a step that removes an entry or keeps the others as they were then keeps each pair's fact as it was, which a solver sees at once.</remarks>
    public Term Clash(Term mask, IReadOnlyList<Term> values)
    {
        var clashes = new List<Term>();
        for (var p = 0; p < c.N; p++)
            for (var q = p + 1; q < c.N; q++)
                clashes.Add(t.And(t.Bit(mask, p), t.Bit(mask, q), t.Meets(values[p], values[q])));
        return t.Or(clashes);
    }

    /// <summary>True when no two entries overlap in a per-patch value among those that stay if the running transition completes, and among those that stay if it is reversed and completes (in a quiescent state: among all entries).</summary>
    public Term NoClashEitherWay(SymbolicState s, IReadOnlyList<Term> values) => t.And(
        t.Not(Clash(t.BvAnd(s.InList, t.BvNot(s.Replacing)), values)),
        t.Not(Clash(t.BvAnd(s.InList, t.BvNot(s.Trans)), values)));

    /// <summary>The occupied sets of every patch's entry.</summary>
    public Term[] Occupied(SymbolicState s) => c.Per(q => kernel.Occupied(s, q));

    /// <summary>The union of a per-patch value over the patches of a mask.</summary>
    public Term Union(Term mask, IReadOnlyList<Term> values) => t.BvOrAll(values[0].Width, values.Select((v, q) => t.When(t.Bit(mask, q), v)));

    /// <summary>The state ids some enabled patch declares.</summary>
    public Term ActiveStates(SymbolicState s) => Union(s.Enabled(t), c.StateMask);

    /// <summary>The functions some enabled patch patches.</summary>
    public Term Patched(SymbolicState s) => Union(s.Enabled(t), c.Funcs);

    /// <summary>Among the patches of a mask, the newest in list order (every other one is older), alone.</summary>
    public Term Newest(SymbolicState s, Term mask) =>
        t.FromBits(c.Per(q => t.And(t.Bit(mask, q), t.IsZero(t.BvAnd(mask, t.BvNot(t.BvOr(s.Older[q], t.BitConst(c.N, q))))))));

    /// <summary>The enabled patch whose declaration of a state bit is active, alone (0 when none declares it).</summary>
    public Term Declarer(SymbolicState s, int b) => Newest(s, t.BvAnd(s.Enabled(t), c.Declarers(b)));

    /// <summary>True in a state where a state property holds.</summary>
    public Term StateHolds(string id, SymbolicState s) => id switch
    {
        "one-per-set" => t.Or(s.InTransition(t), t.Not(Clash(s.Enabled(t), Occupied(s)))),
        "no-shared-function" => t.Or(s.InTransition(t), t.Not(Clash(s.Enabled(t), c.Funcs))),
        "no-shared-state" => t.Or(s.InTransition(t), t.Not(Clash(s.Enabled(t), c.StateMask))),
        "no-lost-fix" => t.Not(LostFix(s)),
        _ => throw new ArgumentException($"{id} is not a state property", nameof(id)),
    };

    // NoLostFix.cs: during a transition, a task of either kind runs the original code of a
    // function that an enabled patch the transition neither replaces nor disables patches.
    private Term LostFix(SymbolicState s)
    {
        var tr = s.Trans;
        var others = t.BvAnd(s.Enabled(t), t.BvNot(t.BvOr(s.Replacing, tr)));
        var kept = Union(others, c.Funcs);
        var funcsT = t.Select(tr, c.Funcs);
        var nops = t.When(t.NonZero(s.Replacing), t.BvAnd(Union(s.Replacing, c.Funcs), t.BvNot(funcsT)));
        var touched = t.BvAnd(kept, t.BvOr(funcsT, nops));
        var olderT = t.Select(tr, s.Older);
        var lost = new List<Term>();
        for (var f = 0; f < c.F; f++)
        {
            var nop = t.Bit(nops, f);
            var entries = t.BvOr(t.FromBits(c.Per(q => t.And(t.Bit(s.InList, q), t.Bit(c.Funcs[q], f)))), t.When(nop, tr));
            var below = t.BvAnd(entries, t.BvNot(tr));
            var headIsTransition = t.And(t.Meets(entries, tr), t.IsZero(t.BvAnd(below, t.BvNot(olderT))));
            // A task that has not switched to the head's state runs the entry below it, the others
            // run the head; only the transition patch's nop runs the original code, or nothing below.
            lost.Add(t.And(t.Bit(touched, f), headIsTransition, t.Or(nop, t.IsZero(below))));
        }
        return t.And(s.InTransition(t), t.Or(lost));
    }

    /// <summary>True for a step where a step property holds.</summary>
    /// <param name="id">The property.</param>
    /// <param name="s">The state before.</param>
    /// <param name="op">The operation.</param>
    /// <param name="o">Its outcome.</param>
    public Term StepHolds(string id, SymbolicState s, SymbolicOp op, SymbolicOutcome o)
    {
        var load = t.And(op.Is(t, OpKind.Load), o.Accepted);
        var p = op.Patch;
        var vendor = t.Select(p, c.Vendor);
        var after = kernel.Settle(o.Next);
        switch (id)
        {
            case "state-monotonic":
            {
                // StateMonotonic.cs: no active state's declarer after has a lower version than before.
                var activeAfter = ActiveStates(after);
                var lowered = new List<Term>();
                for (var b = 0; b < c.S; b++)
                {
                    var old = Declarer(s, b);
                    var now = Declarer(after, b);
                    var versions = c.Per(q => c.Version[q][b]);
                    lowered.Add(t.And(t.NonZero(old), t.Bit(activeAfter, b), t.Ult(t.Select(now, versions), t.Select(old, versions))));
                }
                return t.Not(t.And(load, t.Or(lowered)));
            }
            case "block-disable-kept":
            {
                // BlockDisableKept.cs: a settled load or disable removes no active block_disable state.
                var step = t.And(t.Or(op.Is(t, OpKind.Load), op.Is(t, OpKind.Disable)), o.Accepted);
                var activeBefore = ActiveStates(s);
                var activeAfter = ActiveStates(after);
                var removed = new List<Term>();
                for (var b = 0; b < c.S; b++)
                {
                    var old = Declarer(s, b);
                    var blocks = t.Select(old, c.Per(q => t.Bit(c.BlockMask[q], b)));
                    removed.Add(t.And(t.Bit(activeBefore, b), blocks, t.Not(t.Bit(activeAfter, b))));
                }
                return t.Not(t.And(step, t.Or(removed)));
            }
            case "customer-untouched":
                // CustomerUntouched.cs: a vendor load without add_sets replaces no customer patch.
                return t.Not(t.And(load, vendor, t.Not(op.HasParam), t.Meets(o.Affected, c.CustomerMask)));
            case "hotfixes-absorbed":
            {
                // HotfixesAbsorbed.cs: once a vendor cumulative's load settles, no older vendor hotfix is enabled beside it.
                var cumulative = t.And(vendor, t.Select(p, c.Cumulative));
                var enabledAfter = after.Enabled(t);
                var olderHotfixes = t.Select(p, c.OlderVendorHotfix);
                return t.Not(t.And(load, cumulative, t.Meets(enabledAfter, p), t.Meets(enabledAfter, olderHotfixes)));
            }
            case "no-silent-revert":
                return t.Not(t.Or(StepViolations(id, s, op, o)));
            case "refusal-is-atomic":
            {
                // RefusalIsAtomic.cs: a refusal changes nothing; in two-phase mode a load reversed and completed restores the list and the pinned modules.
                var unchanged = t.Implies(t.Not(o.Accepted), o.Next.SameAs(t, s));
                if (c.Reading.Options.Granularity != Granularity.TwoPhase) return unchanged;
                // A load whose reversal is refused (a blocking patch) is never a reversed load.
                var (reversed, restored) = kernel.ReverseAndComplete(o.Next);
                return t.And(unchanged, t.Implies(t.And(load, reversed), t.And(SamePatches(s, restored), t.Not(restored.InTransition(t)))));
            }
            default:
                throw new ArgumentException($"{id} is not a step property", nameof(id));
        }
    }

    /// <summary>Cases whose disjunction is the violation of a step property: one query each is easier for a solver than one query of their disjunction.</summary>
    /// <remarks>no-silent-revert splits by the function it reverts; the others are one case.</remarks>
    public IReadOnlyList<Term> StepViolations(string id, SymbolicState s, SymbolicOp op, SymbolicOutcome o)
    {
        if (id != "no-silent-revert") return [t.Not(StepHolds(id, s, op, o))];
        // NoSilentRevert.cs: an upgrade (replacing only older vendor patches, at least one) keeps every patched function patched.
        var p = op.Patch;
        var after = kernel.Settle(o.Next);
        var load = t.And(op.Is(t, OpKind.Load), o.Accepted);
        var vendorReplaced = t.BvAnd(o.Affected, c.VendorMask);
        var upgrade = t.And(t.Select(p, c.Vendor), t.NonZero(vendorReplaced), t.Subset(vendorReplaced, t.Select(p, c.OlderVendor)), t.Meets(after.Enabled(t), p));
        var lost = t.BvAnd(Patched(s), t.BvNot(Patched(after)));
        return [.. Enumerable.Range(0, c.F).Select(f => t.And(load, upgrade, t.Bit(lost, f)))];
    }

    // The same entries in the same order with the same add_sets values and allocated sets, and the same pinned modules.
    private Term SamePatches(SymbolicState a, SymbolicState b)
    {
        var entries = c.Per(q => t.Implies(t.Bit(a.InList, q),
            t.And(t.Eq(t.BvAnd(a.Older[q], a.InList), t.BvAnd(b.Older[q], b.InList)), t.Eq(a.Param[q], b.Param[q]), t.Eq(a.Auto[q], b.Auto[q]))));
        return t.And([t.Eq(a.InList, b.InList), t.Eq(a.Pinned, b.Pinned), .. entries]);
    }
}
