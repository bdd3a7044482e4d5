using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>A catalog of N patches whose attributes are terms: free variables for a raw catalog, a release plan's encoding for plans; constant during a proof, as a catalog is during a run.</summary>
/// <remarks>
/// The attributes are those <see cref="Kernel.Step"/> and the safety properties read, in the
/// same masks a <see cref="Catalog"/> holds: functions and set numbers as bits of a universe
/// (<see cref="ProofScope"/>), states as bits of a universe with a version and a
/// <c>block_disable</c> flag each. An attribute a reading never reads is the constant 0, so the
/// reading's keys decide the variables: sets only with sets, the replace flag only under
/// <c>replaces: flag</c>, versions only under <c>states: versions</c>, <c>block_disable</c> flags only
/// under <c>states: block-disable</c>, sympos only under <c>function-identity: exact</c>.
/// </remarks>
public sealed class SymbolicCatalog
{
    internal SymbolicCatalog(Terms t, ProofScope scope, Reading reading)
    {
        T = t;
        Scope = scope;
        Reading = reading;
        N = scope.Patches;
        F = scope.FunctionCount;
        U = scope.SetCount(reading);
        S = scope.StateCount;
        VW = scope.VersionWidth;
        Exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
        Vendor = new Term[N];
        Cumulative = new Term[N];
        Replace = new Term[N];
        Dup = new Term[N];
        Funcs = new Term[N];
        Spell0 = new Term[N];
        Spell1 = new Term[N];
        StateMask = new Term[N];
        BlockMask = new Term[N];
        Version = new Term[N][];
        Listed = new Term[N];
        Own = new Term[N];
        IsAuto = new Term[N];
        AutoOf = new Term[N];
        OlderVendor = new Term[N];
        OlderVendorHotfix = new Term[N];
    }

    /// <summary>The term builder.</summary>
    public Terms T { get; }

    /// <summary>The bounds.</summary>
    public ProofScope Scope { get; }

    /// <summary>The reading whose keys chose the attributes.</summary>
    public Reading Reading { get; }

    /// <summary>Patches; functions; set numbers; state ids; bits of a version.</summary>
    public int N { get; }

    /// <summary>The function universe.</summary>
    public int F { get; }

    /// <summary>The set-number universe; bit k is set number k.</summary>
    public int U { get; }

    /// <summary>The state-id universe.</summary>
    public int S { get; }

    /// <summary>The bits of a version.</summary>
    public int VW { get; }

    /// <summary>True under <c>function-identity: exact</c>: functions carry a spelling (sympos 0 or 1).</summary>
    public bool Exact { get; }

    /// <summary>Per patch: vendor (else customer); cumulative (else hotfix); upstream's replace flag; names a function twice.</summary>
    public Term[] Vendor { get; }

    /// <summary>Per patch: cumulative, else hotfix.</summary>
    public Term[] Cumulative { get; }

    /// <summary>Per patch: upstream's <c>replace</c>.</summary>
    public Term[] Replace { get; }

    /// <summary>Per patch: its function list names one function twice, so every load of it is refused.</summary>
    public Term[] Dup { get; }

    /// <summary>Per patch: its functions under normalized identity (F bits).</summary>
    public Term[] Funcs { get; }

    /// <summary>Per patch under exact identity: the functions it writes with sympos 0; else equal to <see cref="Funcs"/>.</summary>
    public Term[] Spell0 { get; }

    /// <summary>Per patch under exact identity: the functions it writes with sympos 1; else 0.</summary>
    public Term[] Spell1 { get; }

    /// <summary>Per patch: the state ids it declares (S bits).</summary>
    public Term[] StateMask { get; }

    /// <summary>Per patch: the declared states with <c>block_disable</c>.</summary>
    public Term[] BlockMask { get; }

    /// <summary>Per patch and state bit: the version (0 where not declared).</summary>
    public Term[][] Version { get; }

    /// <summary>Per patch: the set numbers its list holds (U bits; 0 for <c>auto</c>).</summary>
    public Term[] Listed { get; }

    /// <summary>Per patch: its first set number, alone (0 for <c>auto</c>).</summary>
    public Term[] Own { get; }

    /// <summary>Per patch: its set is chosen at load time by the allocator.</summary>
    public Term[] IsAuto { get; }

    /// <summary>Per patch: for <c>auto(H)</c>, H alone as a mask over patches; else 0.</summary>
    public Term[] AutoOf { get; }

    /// <summary>Per patch p: the vendor patches of an older release than p's (N bits).</summary>
    public Term[] OlderVendor { get; }

    /// <summary>Per patch p: the vendor hotfixes of an older release than p's.</summary>
    public Term[] OlderVendorHotfix { get; }

    /// <summary>What every catalog of the space satisfies (well-formedness, the encoder's rules).</summary>
    public Term Constraints { get; internal set; } = null!;

    /// <summary>The variables whose values fix a catalog.</summary>
    public List<Term> Variables { get; } = [];

    /// <summary>For plans, per release: the intent (2 bits: cumulative, hotfix, update, customer), the release it updates, the release it shares a function with, and its state (declared, version, flag).</summary>
    public PlanTerms? Plan { get; internal set; }

    /// <summary>Per patch: the functions with their spelling under exact identity (2F bits: sympos 1 above sympos 0), else the normalized functions.</summary>
    public Term ExactFuncs(int p) => Exact ? T.Concat(Spell1[p], Spell0[p]) : Funcs[p];

    /// <summary>The functions as the reading's conflict check compares them.</summary>
    public Term CompareFuncs(int p) => ExactFuncs(p);

    private Term[]? ownIsZero, zeroOnly, zeroMisused, multi, namesTwice;

    /// <summary>Per patch: its function list names one function twice (the same spelling, or under exact identity both spellings of one function), so the kernel refuses every load of it.</summary>
    public Term NamesTwice(int p) => (namesTwice ??= Per(q => Exact ? T.Or(Dup[q], T.Meets(Spell0[q], Spell1[q])) : Dup[q]))[p];

    /// <summary>Per patch: its own (first) set is 0.</summary>
    public Term OwnIsZero(int p) => (ownIsZero ??= Per(q => T.And(T.Not(IsAuto[q]), T.Eq(Own[q], T.BitConst(U, 0)))))[p];

    /// <summary>Per patch: its list is only 0.</summary>
    public Term ZeroOnly(int p) => (zeroOnly ??= Per(q => T.And(T.Not(IsAuto[q]), T.Eq(Listed[q], T.BitConst(U, 0)))))[p];

    /// <summary>Per patch: its list mixes 0 with other numbers.</summary>
    public Term ZeroMisused(int p) => (zeroMisused ??= Per(q => T.And(T.Not(IsAuto[q]), T.Bit(Listed[q], 0), T.Not(ZeroOnly(q)))))[p];

    /// <summary>Per patch: its list has more than one number.</summary>
    public Term Multi(int p) => (multi ??= Per(q => T.And(T.Not(IsAuto[q]), T.Not(T.Eq(Listed[q], Own[q])))))[p];

    private Term[]? declarers;

    /// <summary>Per state bit: the patches that declare it (N bits).</summary>
    public Term Declarers(int b) => (declarers ??= [.. Enumerable.Range(0, S).Select(s => T.FromBits(Per(p => T.Bit(StateMask[p], s))))])[b];

    /// <summary>Per patch: the vendor patches, as a mask.</summary>
    public Term VendorMask => vendorMask ??= T.FromBits(Vendor);

    private Term? vendorMask;

    /// <summary>The customer patches, as a mask.</summary>
    public Term CustomerMask => T.BvNot(VendorMask);

    /// <summary>A term per patch.</summary>
    public Term[] Per(Func<int, Term> make)
    {
        var a = new Term[N];
        for (var p = 0; p < N; p++) a[p] = make(p);
        return a;
    }

    /// <summary>A raw catalog: every attribute free within the scope's universes.</summary>
    public static SymbolicCatalog Raw(Terms t, ProofScope scope, Reading reading)
    {
        var c = new SymbolicCatalog(t, scope, reading);
        var constraints = new List<Term>();
        Term V(string name, int width)
        {
            var v = t.Var(name, width);
            c.Variables.Add(v);
            return v;
        }
        var versions = reading.Options.States == StateRules.Versions;
        var block = reading.Options.States == StateRules.BlockDisable;
        var release = new Term[c.N];
        for (var p = 0; p < c.N; p++)
        {
            var n = $"c.p{p}";
            c.Vendor[p] = V(n + ".vendor", 0);
            c.Cumulative[p] = V(n + ".cumulative", 0);
            release[p] = V(n + ".release", scope.ReleaseBits);
            c.Replace[p] = reading.Replace == ReplaceRule.ByReplaceFlag ? V(n + ".replace", 0) : t.False;
            c.Dup[p] = V(n + ".dup", 0);
            if (c.Exact)
            {
                c.Spell0[p] = V(n + ".funcs0", c.F);
                c.Spell1[p] = V(n + ".funcs1", c.F);
                c.Funcs[p] = t.BvOr(c.Spell0[p], c.Spell1[p]);
            }
            else
            {
                c.Spell0[p] = c.Funcs[p] = V(n + ".funcs", c.F);
                c.Spell1[p] = t.Zero(c.F);
            }
            constraints.Add(t.NonZero(c.Funcs[p]));
            c.StateMask[p] = V(n + ".states", c.S);
            c.BlockMask[p] = block ? V(n + ".block", c.S) : t.Zero(c.S);
            constraints.Add(t.Subset(c.BlockMask[p], c.StateMask[p]));
            c.Version[p] = new Term[c.S];
            for (var b = 0; b < c.S; b++)
            {
                c.Version[p][b] = versions ? V($"{n}.v{b}", c.VW) : t.Zero(c.VW);
                constraints.Add(t.Implies(t.Not(t.Bit(c.StateMask[p], b)), t.IsZero(c.Version[p][b])));
            }
            c.IsAuto[p] = t.False;
            c.AutoOf[p] = t.Zero(c.N);
            if (reading.HasSets)
            {
                c.Listed[p] = V(n + ".sets", c.U);
                c.Own[p] = V(n + ".own", c.U);
                constraints.Add(t.OneBit(c.Own[p]));
                constraints.Add(t.Subset(c.Own[p], c.Listed[p]));
            }
            else
            {
                c.Listed[p] = t.BitConst(c.U, 0);
                c.Own[p] = t.BitConst(c.U, 0);
            }
        }
        for (var p = 0; p < c.N; p++)
        {
            var pp = p;
            c.OlderVendor[p] = t.FromBits(c.Per(q => t.And(c.Vendor[q], t.Ult(release[q], release[pp]))));
            c.OlderVendorHotfix[p] = t.FromBits(c.Per(q => t.And(c.Vendor[q], t.Not(c.Cumulative[q]), t.Ult(release[q], release[pp]))));
        }
        c.Release = release;
        c.Constraints = t.And(constraints);
        return c;
    }

    /// <summary>For raw catalogs, per patch: its release number.</summary>
    public Term[]? Release { get; private set; }
}

/// <summary>The variables of a symbolic release plan, per release, from which <see cref="SymbolicCatalog.Plan"/> derives the encoded catalog.</summary>
/// <param name="Intent">Two bits: 0 cumulative, 1 hotfix, 2 update, 3 customer.</param>
/// <param name="Updates">For an update, the release it updates, alone (N bits); else 0.</param>
/// <param name="Shares">For a customer release, the vendor release whose function it also patches, alone, or 0.</param>
/// <param name="Declares">The release declares state 1.</param>
/// <param name="Version">Its version.</param>
/// <param name="Block">Its <c>block_disable</c> flag.</param>
public sealed record PlanTerms(Term[] Intent, Term[] Updates, Term[] Shares, Term[] Declares, Term[] Version, Term[] Block);
