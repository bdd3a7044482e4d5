using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Whether a property must hold everywhere, eventually be reachable, or be reachable somewhere.</summary>
public enum PropertyKind
{
    /// <summary>Checked on every reachable state or accepted transition.</summary>
    Safety,
    /// <summary>Checked over the reachable graph.</summary>
    Liveness,
    /// <summary>A "sometimes" property: must be reachable, or the reading is vacuous there.</summary>
    Witness,
}

/// <summary>An invariant or witness of docs/semantics.md section 5.2, by its stable id.</summary>
/// <param name="Id">The stable id.</param>
/// <param name="Kind">Safety, liveness or witness.</param>
/// <param name="Summary">What it promises, in one line.</param>
public sealed record Invariant(string Id, PropertyKind Kind, string Summary)
{
    /// <summary>Why the invariant does not apply to a reading, or null when it does.</summary>
    public string? NotApplicable(Reading reading) => Id switch
    {
        "one-per-set" when !reading.HasSets => "upstream has no sets",
        "state-monotonic" when reading.Options.States == StateRules.BlockDisable => "states=block-disable has no versions",
        "block-disable-kept" when reading.Options.States == StateRules.Versions => "states=versions has no block_disable flag",
        _ => null,
    };
}

/// <summary>The registry of invariants and witnesses.</summary>
public static class Invariants
{
    /// <summary>Every invariant and witness, in the order reports show them.</summary>
    public static IReadOnlyList<Invariant> All { get; } =
    [
        new("one-per-set", PropertyKind.Safety, "no set is occupied by two enabled patches"),
        new("no-shared-function", PropertyKind.Safety, "no function is patched by two enabled patches"),
        new("no-shared-state", PropertyKind.Safety, "no state id is declared by two enabled patches"),
        new("state-monotonic", PropertyKind.Safety, "no load lowers the version of an active state"),
        new("block-disable-kept", PropertyKind.Safety, "no operation removes an active block_disable state"),
        new("customer-untouched", PropertyKind.Safety, "no vendor load without add_sets replaces a customer patch"),
        new("hotfixes-absorbed", PropertyKind.Safety, "a vendor cumulative leaves no older vendor hotfix enabled"),
        new("no-silent-revert", PropertyKind.Safety, "an upgrade keeps every patched function patched"),
        new("refusal-is-atomic", PropertyKind.Safety, "a refusal changes nothing; a reversed load restores the state"),
        new("recoverable", PropertyKind.Liveness, "from every state, a state with no enabled patch is reachable"),
        new("downgrade-installable", PropertyKind.Liveness, "an older release of an enabled line can be installed atomically"),
        new("upgrade-installable", PropertyKind.Liveness, "the newest cumulative can always be installed atomically"),
        new("hotfix-coexists", PropertyKind.Witness, "a vendor hotfix is enabled beside a vendor cumulative"),
        new("customer-coexists", PropertyKind.Witness, "a customer patch is enabled beside a vendor cumulative"),
        new("downgrade-succeeds", PropertyKind.Witness, "an older vendor patch replaces a newer one"),
    ];

    /// <summary>The invariant with this id, or null.</summary>
    public static Invariant? Find(string id) => All.FirstOrDefault(i => i.Id == id);
}

/// <summary>The result of one property on one catalog.</summary>
/// <param name="Applicable">False when the catalog gives the property nothing to talk about.</param>
/// <param name="Found">For safety and liveness, a violation was found; for a witness, the witness was found.</param>
/// <param name="Trace">The shortest operation list to the violation or witness.</param>
/// <param name="Message">What the trace shows.</param>
public sealed record CatalogFinding(bool Applicable, bool Found, IReadOnlyList<Operation>? Trace, string? Message)
{
    /// <summary>Nothing to check in this catalog.</summary>
    public static CatalogFinding NotApplicable { get; } = new(false, false, null, null);

    /// <summary>Checked, nothing found.</summary>
    public static CatalogFinding Nothing { get; } = new(true, false, null, null);
}

/// <summary>Evaluates invariants and witnesses on a reachable state graph.</summary>
public sealed class InvariantChecker
{
    private readonly StateGraph g;
    private readonly Catalog c;
    private readonly Reading r;
    private readonly bool twoPhase;
    private List<(int From, Operation Op, KernelState After, ulong Affected, int Extra)>? loadEffects;
    private ReverseGraph? reverse;
    private ReverseGraph? restrictedReverse;

    // The predecessors of state s are From[Start[s]..Start[s + 1]], in edge order: two arrays
    // for the whole graph instead of a list per state.
    private sealed record ReverseGraph(int[] Start, int[] From);

    /// <summary>Prepares checks on a graph.</summary>
    public InvariantChecker(StateGraph graph)
    {
        g = graph;
        c = graph.Catalog;
        r = graph.Reading;
        twoPhase = r.Options.Granularity == Granularity.TwoPhase;
    }

    /// <summary>Whether a safety property's interesting case happens in this graph (its "sometimes" witness); null when it is not tracked.</summary>
    /// <remarks>A property that holds where its case never happens holds vacuously, and reports say so.</remarks>
    public bool? Exercised(Invariant invariant)
    {
        var customers = CustomerMask();
        bool AnyLoad(Func<(int From, Operation Op, KernelState After, ulong Affected, int Extra), bool> f) => LoadEffects().Any(f);
        return invariant.Id switch
        {
            "one-per-set" => AnyLoad(e => e.Affected != 0),
            "state-monotonic" => AnyLoad(e => (c.StateMask[e.Op.Patch] & ActiveStateMask(g.States[e.From])) != 0),
            "block-disable-kept" => g.States.Any(s => !s.InTransition && Observables.Enabled(s).Any(p => c.BlockMask[p] != 0)),
            "customer-untouched" => AnyLoad(e => c[e.Op.Patch].Origin == Origin.Vendor && e.Op.Params == 0 && (Observables.EnabledMask(g.States[e.From]) & customers) != 0),
            "hotfixes-absorbed" => AnyLoad(e => c[e.Op.Patch].Origin == Origin.Vendor && c[e.Op.Patch].Kind == PatchKind.Cumulative
                && Observables.Enabled(g.States[e.From]).Any(h => c[h].Origin == Origin.Vendor && c[h].Kind == PatchKind.Hotfix && c[h].Release < c[e.Op.Patch].Release)),
            "no-silent-revert" => AnyLoad(e => c[e.Op.Patch].Origin == Origin.Vendor && Enumerable.Range(0, c.Count)
                .Any(q => (e.Affected & (1UL << q)) != 0 && c[q].Origin == Origin.Vendor && c[q].Release < c[e.Op.Patch].Release)),
            _ => null,
        };
    }

    private ulong ActiveStateMask(in KernelState s)
    {
        ulong m = 0;
        foreach (var p in Observables.Enabled(s)) m |= c.StateMask[p];
        return m;
    }

    /// <summary>Checks one property.</summary>
    public CatalogFinding Check(Invariant invariant) => invariant.Id switch
    {
        "one-per-set" => FirstState(OnePerSetBroken, "two enabled patches occupy set {0}"),
        "no-shared-function" => FirstState(SharedFunction, "two enabled patches patch {0}"),
        "no-shared-state" => FirstState(SharedState, "two enabled patches declare state {0}"),
        "state-monotonic" => StateMonotonic(),
        "block-disable-kept" => BlockDisableKept(),
        "customer-untouched" => CustomerUntouched(),
        "hotfixes-absorbed" => HotfixesAbsorbed(),
        "no-silent-revert" => NoSilentRevert(),
        "refusal-is-atomic" => RefusalIsAtomic(),
        "recoverable" => Recoverable(),
        "downgrade-installable" => DowngradeInstallable(),
        "upgrade-installable" => UpgradeInstallable(),
        "hotfix-coexists" => Coexists(PatchKind.Hotfix, Origin.Vendor),
        "customer-coexists" => Coexists(null, Origin.Customer),
        "downgrade-succeeds" => DowngradeSucceeds(),
        _ => throw new ArgumentException($"unknown invariant {invariant.Id}"),
    };

    private CatalogFinding FirstState(Func<KernelState, string?> broken, string message)
    {
        for (var s = 0; s < g.States.Count; s++)
        {
            var st = g.States[s];
            if (st.InTransition) continue;
            if (broken(st) is { } what) return new CatalogFinding(true, true, g.PathTo(s), string.Format(message, what));
        }
        return CatalogFinding.Nothing;
    }

    private string? OnePerSetBroken(KernelState s)
    {
        ulong seen = 0;
        foreach (var (_, sets) in Observables.OccupiedSets(c, r, s))
        {
            if ((seen & sets) != 0) return string.Join(",", c.SetsOf(seen & sets));
            seen |= sets;
        }
        return null;
    }

    private string? SharedFunction(KernelState s)
    {
        ulong seen = 0;
        foreach (var p in Observables.Enabled(s))
        {
            var f = c.FuncsNormalized[p];
            if ((seen & f) != 0) return c.Functions[System.Numerics.BitOperations.TrailingZeroCount(seen & f)].ToString();
            seen |= f;
        }
        return null;
    }

    private string? SharedState(KernelState s)
    {
        ulong seen = 0;
        foreach (var p in Observables.Enabled(s))
        {
            var m = c.StateMask[p];
            if ((seen & m) != 0) return c.StateIds[System.Numerics.BitOperations.TrailingZeroCount(seen & m)].ToString();
            seen |= m;
        }
        return null;
    }

    // The quiescent-to-quiescent effect of every accepted load: in two-phase mode the load
    // followed by Complete (a reversal or force ends with the same Patches or none of P).
    private List<(int From, Operation Op, KernelState After, ulong Affected, int Extra)> LoadEffects()
    {
        if (loadEffects is not null) return loadEffects;
        loadEffects = [];
        foreach (var e in g.Edges)
        {
            var op = g.Alphabet[e.Op];
            if (op.Kind != OpKind.Load) continue;
            var after = g.States[e.To];
            var extra = 0;
            if (twoPhase)
            {
                after = Kernel.Step(c, r, after, Operation.Complete()).State;
                extra = 1;
            }
            loadEffects.Add((e.From, op, after, e.Affected, extra));
        }
        return loadEffects;
    }

    private CatalogFinding FirstEffect(
        List<(int From, Operation Op, KernelState After, ulong Affected, int Extra)> effects,
        Func<(int From, Operation Op, KernelState After, ulong Affected, int Extra), string?> broken)
    {
        (int Length, int Index, string Message)? best = null;
        for (var i = 0; i < effects.Count; i++)
        {
            var e = effects[i];
            var length = g.Depth[e.From] + 1 + e.Extra;
            if (best is { } b && b.Length <= length) continue;
            if (broken(e) is { } what) best = (length, i, what);
        }
        if (best is not { } found) return CatalogFinding.Nothing;
        var eff = effects[found.Index];
        var trace = g.PathTo(eff.From);
        trace.Add(eff.Op);
        if (eff.Extra > 0) trace.Add(Operation.Complete());
        return new CatalogFinding(true, true, trace, found.Message);
    }

    // The newest enabled patch that declares a state bit (the one whose version and flag are active), or -1.
    private int Declarer(in KernelState s, int bit)
    {
        for (var i = s.Count - 1; i >= 0; i--)
        {
            var p = s.PatchAt(i);
            if ((c.StateMask[p] & (1UL << bit)) != 0 && Observables.IsEnabled(s, p)) return p;
        }
        return -1;
    }

    private CatalogFinding StateMonotonic() => FirstEffect(LoadEffects(), e =>
    {
        var before = g.States[e.From];
        var active = ActiveStateMask(e.After);
        while (active != 0)
        {
            var b = System.Numerics.BitOperations.TrailingZeroCount(active);
            active &= active - 1;
            var old = Declarer(before, b);
            var now = Declarer(e.After, b);
            if (old >= 0 && c.Version(now, b) < c.Version(old, b))
                return $"loading {c[e.Op.Patch].Name} lowers state {c.StateIds[b]} from v{c.Version(old, b)} to v{c.Version(now, b)}";
        }
        return null;
    });

    private CatalogFinding BlockDisableKept()
    {
        var disables = new List<(int From, Operation Op, KernelState After, ulong Affected, int Extra)>();
        foreach (var e in g.Edges)
        {
            var op = g.Alphabet[e.Op];
            if (op.Kind != OpKind.Disable) continue;
            var after = g.States[e.To];
            var extra = 0;
            if (twoPhase && after.InTransition)
            {
                after = Kernel.Step(c, r, after, Operation.Complete()).State;
                extra = 1;
            }
            disables.Add((e.From, op, after, e.Affected, extra));
        }
        string? Removes((int From, Operation Op, KernelState After, ulong Affected, int Extra) e)
        {
            var before = g.States[e.From];
            var active = ActiveStateMask(before);
            while (active != 0)
            {
                var b = System.Numerics.BitOperations.TrailingZeroCount(active);
                active &= active - 1;
                if ((c.BlockMask[Declarer(before, b)] & (1UL << b)) != 0 && Declarer(e.After, b) < 0)
                    return $"{e.Op.Format(c)} removes block_disable state {c.StateIds[b]}";
            }
            return null;
        }
        // Loads first; a disable only when its trace is strictly shorter.
        var load = FirstEffect(LoadEffects(), Removes);
        var disable = FirstEffect(disables, Removes);
        return disable.Found && (!load.Found || disable.Trace!.Count < load.Trace!.Count) ? disable : load;
    }

    private ulong CustomerMask()
    {
        ulong m = 0;
        for (var p = 0; p < c.Count; p++)
            if (c[p].Origin == Origin.Customer) m |= 1UL << p;
        return m;
    }

    private CatalogFinding CustomerUntouched()
    {
        var customers = CustomerMask();
        if (customers == 0) return CatalogFinding.NotApplicable;
        return FirstEffect(LoadEffects(), e =>
            c[e.Op.Patch].Origin == Origin.Vendor && e.Op.Params == 0 && (e.Affected & customers) != 0
                ? $"vendor {c[e.Op.Patch].Name} replaces customer {string.Join(" ", c.NamesOf(e.Affected & customers))}"
                : null);
    }

    private CatalogFinding HotfixesAbsorbed()
    {
        var any = false;
        for (var p = 0; p < c.Count && !any; p++)
            for (var h = 0; h < c.Count && !any; h++)
                any = c[p].Origin == Origin.Vendor && c[p].Kind == PatchKind.Cumulative
                    && c[h].Origin == Origin.Vendor && c[h].Kind == PatchKind.Hotfix && c[h].Release < c[p].Release;
        if (!any) return CatalogFinding.NotApplicable;
        return FirstEffect(LoadEffects(), e =>
        {
            var p = c[e.Op.Patch];
            if (p.Origin != Origin.Vendor || p.Kind != PatchKind.Cumulative || !Observables.IsEnabled(e.After, e.Op.Patch)) return null;
            foreach (var h in Observables.Enabled(e.After))
                if (c[h].Origin == Origin.Vendor && c[h].Kind == PatchKind.Hotfix && c[h].Release < p.Release)
                    return $"older hotfix {c[h].Name} stays enabled beside {p.Name}";
            return null;
        });
    }

    private CatalogFinding NoSilentRevert() => FirstEffect(LoadEffects(), e =>
    {
        var p = c[e.Op.Patch];
        if (p.Origin != Origin.Vendor) return null;
        ulong vendorReplaced = 0;
        for (var q = 0; q < c.Count; q++)
            if ((e.Affected & (1UL << q)) != 0 && c[q].Origin == Origin.Vendor)
            {
                if (c[q].Release >= p.Release) return null;
                vendorReplaced |= 1UL << q;
            }
        if (vendorReplaced == 0 || !Observables.IsEnabled(e.After, e.Op.Patch)) return null;
        var lost = Observables.PatchedFunctions(c, g.States[e.From]) & ~Observables.PatchedFunctions(c, e.After);
        if (lost == 0) return null;
        return $"upgrade to {p.Name} reverts {c.Functions[System.Numerics.BitOperations.TrailingZeroCount(lost)]} to the original code";
    });

    private CatalogFinding RefusalIsAtomic()
    {
        // Refusals were checked by the explorer on every (state, operation) it tried.
        (int State, int Op, bool Reversal)? first = g.RefusalChange is { } rc ? (rc.State, rc.Op, false) : null;
        if (twoPhase)
        {
            foreach (var e in g.Edges)
            {
                if (first is { } f && (e.From, e.Op).CompareTo((f.State, f.Op)) >= 0) break;
                if (g.Alphabet[e.Op].Kind != OpKind.Load) continue;
                var reversed = Kernel.Step(c, r, g.States[e.To], Operation.Reverse()).State;
                var done = Kernel.Step(c, r, reversed, Operation.Complete()).State;
                if (!SamePatches(g.States[e.From], done) || done.InTransition)
                {
                    first = (e.From, e.Op, true);
                    break;
                }
            }
        }
        if (first is not { } found) return CatalogFinding.Nothing;
        var op = g.Alphabet[found.Op];
        var t = g.PathTo(found.State);
        t.Add(op);
        if (!found.Reversal) return new CatalogFinding(true, true, t, $"refused {op.Format(c)} changed the state");
        t.AddRange([Operation.Reverse(), Operation.Complete()]);
        return new CatalogFinding(true, true, t, $"reversing {op.Format(c)} does not restore Patches");
    }

    private static bool SamePatches(in KernelState a, in KernelState b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (a.EntryAt(i) != b.EntryAt(i)) return false;
        return a.Pinned == b.Pinned;
    }

    private ReverseGraph Reverse(bool restricted)
    {
        var cached = restricted ? restrictedReverse : reverse;
        if (cached is not null) return cached;
        var customers = CustomerMask();
        bool Kept(in Edge e)
        {
            if (!restricted) return true;
            return g.Alphabet[e.Op].Kind switch
            {
                OpKind.Load => (e.Affected & customers) == 0,
                OpKind.Complete => g.States[e.From].TargetPatched,
                OpKind.Unload => true,
                _ => false,
            };
        }
        var edges = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(g.Edges);
        var start = new int[g.States.Count + 1];
        foreach (ref readonly var e in edges)
            if (Kept(e)) start[e.To + 1]++;
        for (var s = 0; s < g.States.Count; s++) start[s + 1] += start[s];
        var from = new int[start[^1]];
        var next = start[..^1];
        foreach (ref readonly var e in edges)
            if (Kept(e)) from[next[e.To]++] = e.From;
        var rev = new ReverseGraph(start, from);
        if (restricted) restrictedReverse = rev;
        else reverse = rev;
        return rev;
    }

    private bool[] CanReach(Func<KernelState, bool> target, bool restricted)
    {
        var rev = Reverse(restricted);
        var reach = new bool[g.States.Count];
        // Breadth-first backwards from the targets; each state enters the queue once.
        var queue = new int[g.States.Count];
        int head = 0, tail = 0;
        for (var s = 0; s < g.States.Count; s++)
        {
            var st = g.States[s];
            if (!st.InTransition && target(st))
            {
                reach[s] = true;
                queue[tail++] = s;
            }
        }
        while (head < tail)
        {
            var s = queue[head++];
            for (var i = rev.Start[s]; i < rev.Start[s + 1]; i++)
            {
                var p = rev.From[i];
                if (reach[p]) continue;
                reach[p] = true;
                queue[tail++] = p;
            }
        }
        return reach;
    }

    private CatalogFinding Recoverable()
    {
        var reach = CanReach(s => Observables.EnabledMask(s) == 0, restricted: false);
        for (var s = 0; s < g.States.Count; s++)
            if (!reach[s])
                return new CatalogFinding(true, true, g.PathTo(s), "from here no state without enabled patches is reachable");
        return CatalogFinding.Nothing;
    }

    private bool OlderSameLine(int a, int b)
    {
        var pa = c[a];
        var pb = c[b];
        if (pa.Origin != Origin.Vendor || pb.Origin != Origin.Vendor || pa.Release >= pb.Release) return false;
        if (pa.Kind == PatchKind.Cumulative && pb.Kind == PatchKind.Cumulative) return true;
        return pa.Kind == PatchKind.Hotfix && pb.Kind == PatchKind.Hotfix && c.HotfixLine[a] == c.HotfixLine[b] && c.HotfixLine[a] >= 0;
    }

    private CatalogFinding DowngradeInstallable()
    {
        var reachOf = new bool[c.Count][];
        var any = false;
        for (var a = 0; a < c.Count; a++)
            for (var b = 0; b < c.Count; b++)
                if (OlderSameLine(a, b))
                {
                    any = true;
                    var target = a;
                    reachOf[a] ??= CanReach(s => Observables.IsEnabled(s, target), restricted: true);
                }
        if (!any) return CatalogFinding.NotApplicable;
        for (var s = 0; s < g.States.Count; s++)
        {
            var st = g.States[s];
            if (st.InTransition) continue;
            foreach (var b in Observables.Enabled(st))
                for (var a = 0; a < c.Count; a++)
                    if (OlderSameLine(a, b) && !reachOf[a][s])
                        return new CatalogFinding(true, true, g.PathTo(s), $"{c[b].Name} is enabled and {c[a].Name} cannot be installed by an atomic downgrade");
        }
        return CatalogFinding.Nothing;
    }

    private CatalogFinding UpgradeInstallable()
    {
        var newest = -1;
        for (var p = 0; p < c.Count; p++)
            if (c[p].Origin == Origin.Vendor && c[p].Kind == PatchKind.Cumulative && (newest < 0 || c[p].Release > c[newest].Release)) newest = p;
        if (newest < 0) return CatalogFinding.NotApplicable;
        var reach = CanReach(s => Observables.IsEnabled(s, newest), restricted: true);
        for (var s = 0; s < g.States.Count; s++)
            if (!g.States[s].InTransition && !reach[s])
                return new CatalogFinding(true, true, g.PathTo(s), $"{c[newest].Name} cannot be installed by an atomic upgrade from here");
        return CatalogFinding.Nothing;
    }

    private CatalogFinding Coexists(PatchKind? kind, Origin origin)
    {
        bool Matches(int p) => c[p].Origin == origin && (kind is null || c[p].Kind == kind);
        bool Cumulative(int p) => c[p].Origin == Origin.Vendor && c[p].Kind == PatchKind.Cumulative;
        if (!Enumerable.Range(0, c.Count).Any(Matches) || !Enumerable.Range(0, c.Count).Any(Cumulative)) return CatalogFinding.NotApplicable;
        for (var s = 0; s < g.States.Count; s++)
        {
            var st = g.States[s];
            if (st.InTransition) continue;
            var enabled = Observables.Enabled(st);
            var m = enabled.FirstOrDefault(Matches, -1);
            var k = enabled.FirstOrDefault(Cumulative, -1);
            if (m >= 0 && k >= 0) return new CatalogFinding(true, true, g.PathTo(s), $"{c[m].Name} is enabled beside {c[k].Name}");
        }
        return CatalogFinding.Nothing;
    }

    private CatalogFinding DowngradeSucceeds()
    {
        var vendors = Enumerable.Range(0, c.Count).Where(p => c[p].Origin == Origin.Vendor).ToList();
        if (vendors.Count < 2) return CatalogFinding.NotApplicable;
        return FirstEffect(LoadEffects(), e =>
        {
            var p = c[e.Op.Patch];
            if (p.Origin != Origin.Vendor) return null;
            foreach (var q in vendors)
                if ((e.Affected & (1UL << q)) != 0 && c[q].Release > p.Release && Observables.IsEnabled(e.After, e.Op.Patch))
                    return $"older {p.Name} replaces newer {c[q].Name}";
            return null;
        });
    }
}
