using System.Collections.Immutable;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>The concrete catalog a symbolic catalog stands for under an assignment of its variables, and the maps between the two: catalog bits to universe bits, concrete states and operations to assignments.</summary>
/// <remarks>
/// A raw catalog names its patches <c>p1..pN</c>, its functions <c>f1..fF</c> (with sympos 0 or 1
/// under exact identity), its state ids 1..S and uses set number k for bit k. A plan is turned
/// into a <see cref="ReleasePlan"/> and encoded by the reading's C# encoder, so its catalog is the
/// one <c>check</c> explores; <see cref="Mismatches"/> then compares that encoder with the
/// symbolic one.
/// </remarks>
public sealed class ConcreteInput
{
    private readonly SymbolicCatalog c;
    private readonly Dictionary<uint, int> numberBit;
    private readonly int[] functionBit;
    private readonly int[] stateBit;

    /// <summary>The catalog.</summary>
    public Catalog Catalog { get; }

    /// <summary>For plans, the plan the catalog encodes.</summary>
    public ReleasePlan? Plan { get; }

    /// <summary>The input in the words reports use: the plan, or the catalog's declarations.</summary>
    public string Describe() => Plan?.ToString() ?? CatalogText.Describe(Catalog);

    private ConcreteInput(SymbolicCatalog c, Catalog catalog, ReleasePlan? plan, Dictionary<uint, int> numberBit, int[] functionBit, int[] stateBit)
    {
        this.c = c;
        Catalog = catalog;
        Plan = plan;
        this.numberBit = numberBit;
        this.functionBit = functionBit;
        this.stateBit = stateBit;
    }

    /// <summary>Builds the catalog for the values of the catalog's variables; <paramref name="addSets"/> are the <c>add_sets</c> values (U-bit masks) its loads pass, in variant order from 1.</summary>
    public static ConcreteInput Build(SymbolicCatalog c, Func<Term, UInt128> value, IReadOnlyList<UInt128>? addSets = null)
    {
        var eval = new TermEvaluator(c.T, Attributes(c));
        eval.Evaluate(value);
        UInt128 V(Term t) => eval.Value(t);
        var variants = (addSets ?? []).Select(m => Numbers(m).ToImmutableArray()).ToList();
        if (c.Plan is { } plan)
        {
            var releases = new List<Release>();
            for (var i = 0; i < c.N; i++)
            {
                var intent = (Intent)(int)V(plan.Intent[i]);
                var state = V(plan.Declares[i]) == 1 ? new KlpState(1, (uint)V(plan.Version[i]), V(plan.Block[i]) == 1) : (KlpState?)null;
                releases.Add(new Release(intent, intent == Intent.Update ? Index(V(plan.Updates[i])) : -1,
                    intent == Intent.Customer && V(plan.Shares[i]) != 0 ? Index(V(plan.Shares[i])) : -1, state));
            }
            var rp = new ReleasePlan([.. releases]);
            var catalog = rp.Encode(c.Reading);
            var functions = new int[catalog.Functions.Length];
            for (var f = 0; f < functions.Length; f++)
                functions[f] = rp.Names.IndexOf(rp.Names.First(n => Patch.OwnFunction(n) == catalog.Functions[f].Name));
            // Each fixed list's first number is its patch's own set; under the dynamic encoding the
            // numbers are the bits themselves.
            var sets = new Dictionary<uint, int>();
            for (var i = 0; i < c.N; i++)
            {
                var p = catalog[i];
                if (p.SetSource == SetSource.Fixed && c.Reading.Encoding != PlanEncoding.Dynamic) sets.TryAdd(p.Sets[0], Index(V(c.Own[i])));
            }
            foreach (var number in catalog.SetNumbers) sets.TryAdd(number, (int)number);
            return new ConcreteInput(c, catalog, rp, sets, functions, catalog.StateIds.Select(id => (int)id - 1).ToArray());
        }

        var patches = new List<Patch>();
        for (var p = 0; p < c.N; p++)
        {
            var funcs = new List<FunctionId>();
            for (var f = 0; f < c.F; f++)
            {
                if ((V(c.Spell0[p]) >> f & 1) != 0) funcs.Add(new FunctionId(FunctionId.Vmlinux, $"f{f + 1}", 0));
                if ((V(c.Spell1[p]) >> f & 1) != 0) funcs.Add(new FunctionId(FunctionId.Vmlinux, $"f{f + 1}", 1));
            }
            if (V(c.Dup[p]) == 1 && funcs.Count > 0) funcs.Add(funcs[0]);
            var states = new List<KlpState>();
            for (var b = 0; b < c.S; b++)
                if ((V(c.StateMask[p]) >> b & 1) != 0)
                    states.Add(new KlpState((uint)b + 1, (uint)V(c.Version[p][b]), (V(c.BlockMask[p]) >> b & 1) != 0));
            ImmutableArray<uint> list = Patch.DefaultSets;
            if (c.Reading.HasSets)
            {
                var own = (uint)Index(V(c.Own[p]));
                list = [own, .. Numbers(V(c.Listed[p])).Where(n => n != own)];
            }
            var vendor = V(c.Vendor[p]) == 1;
            patches.Add(new Patch($"p{p + 1}", vendor ? Origin.Vendor : Origin.Customer,
                V(c.Cumulative[p]) == 1 ? PatchKind.Cumulative : PatchKind.Hotfix, (int)V(c.Release![p]),
                [.. funcs], [.. states], V(c.Replace[p]) == 1, list));
        }
        var raw = new Catalog(patches, variants);
        return new ConcreteInput(c, raw, null,
            raw.SetNumbers.ToDictionary(n => n, n => (int)n),
            [.. raw.Functions.Select(f => int.Parse(f.Name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) - 1)],
            [.. raw.StateIds.Select(id => (int)id - 1)]);
    }

    /// <summary>The terms whose values build a catalog, and which <see cref="Mismatches"/> reads.</summary>
    public static IEnumerable<Term> Attributes(SymbolicCatalog c)
    {
        var list = new List<Term>();
        for (var p = 0; p < c.N; p++)
        {
            list.AddRange([c.Vendor[p], c.Cumulative[p], c.Replace[p], c.Dup[p], c.NamesTwice(p), c.Funcs[p], c.Spell0[p], c.Spell1[p], c.StateMask[p], c.BlockMask[p],
                c.Listed[p], c.Own[p], c.IsAuto[p], c.AutoOf[p], c.OlderVendor[p], c.OlderVendorHotfix[p]]);
            list.AddRange(c.Version[p]);
            if (c.Release is not null) list.Add(c.Release[p]);
        }
        if (c.Plan is { } plan) list.AddRange(plan.Intent.Concat(plan.Updates).Concat(plan.Shares).Concat(plan.Declares).Concat(plan.Version).Concat(plan.Block));
        list.Add(c.Constraints);
        return list;
    }

    private static int Index(UInt128 oneBit) => oneBit == 0 ? -1 : (int)UInt128.TrailingZeroCount(oneBit);

    private static IEnumerable<uint> Numbers(UInt128 mask)
    {
        for (var k = 0; k < 128; k++)
            if ((mask >> k & 1) != 0) yield return (uint)k;
    }

    /// <summary>Set numbers as a mask over the universe.</summary>
    public UInt128 Sets(IEnumerable<uint> numbers)
    {
        UInt128 m = 0;
        foreach (var n in numbers) m |= UInt128.One << numberBit[n];
        return m;
    }

    /// <summary>A mask over the catalog's set numbers (<see cref="Catalog.SetNumbers"/>) as a mask over the universe.</summary>
    public UInt128 Sets(ulong mask) => Sets(Catalog.SetsOf(mask));

    /// <summary>A mask over the catalog's functions (normalized) as a mask over the universe.</summary>
    public UInt128 Functions(ulong mask)
    {
        UInt128 m = 0;
        for (var i = 0; i < functionBit.Length; i++)
            if ((mask >> i & 1) != 0) m |= UInt128.One << functionBit[i];
        return m;
    }

    /// <summary>A mask over the catalog's state ids as a mask over the universe.</summary>
    public UInt128 States(ulong mask)
    {
        UInt128 m = 0;
        for (var i = 0; i < stateBit.Length; i++)
            if ((mask >> i & 1) != 0) m |= UInt128.One << stateBit[i];
        return m;
    }

    /// <summary>The values of a state's variables (<see cref="SymbolicState.Fresh"/>) for a concrete state.</summary>
    public void Assign(SymbolicState vars, in KernelState s, Dictionary<int, UInt128> into)
    {
        void Set(Term v, UInt128 x)
        {
            if (v.Kind == TermKind.Var) into[v.Id] = x;
        }
        Set(vars.InList, s.InPatches);
        Set(vars.Loaded, s.Loaded);
        Set(vars.Pinned, s.Pinned);
        Set(vars.Trans, s.InTransition ? UInt128.One << s.TransitionPatch : 0);
        Set(vars.Target, s.TargetPatched ? 1u : 0u);
        Set(vars.Replacing, s.Replacing);
        var fields = Project(s);
        for (var p = 0; p < c.N; p++)
        {
            Set(vars.Older[p], fields.Older[p]);
            Set(vars.Param[p], fields.Param[p]);
            Set(vars.Auto[p], fields.Auto[p]);
        }
    }

    /// <summary>A concrete state as the values of every field of a symbolic state.</summary>
    public (UInt128[] Older, UInt128[] Param, UInt128[] Auto) Project(in KernelState s)
    {
        var older = new UInt128[c.N];
        var param = new UInt128[c.N];
        var auto = new UInt128[c.N];
        UInt128 before = 0;
        for (var i = 0; i < s.Count; i++)
        {
            var q = s.PatchAt(i);
            older[q] = before;
            before |= UInt128.One << q;
            param[q] = Sets(Catalog.AddSetsVariants[s.ParamsAt(i)]);
            auto[q] = s.AutoSetAt(i) >= 0 ? UInt128.One << numberBit[Catalog.SetNumbers[s.AutoSetAt(i)]] : 0;
        }
        return (older, param, auto);
    }

    /// <summary>The values of an operation's variables for a concrete operation.</summary>
    public void Assign(SymbolicOp vars, Operation op, Dictionary<int, UInt128> into)
    {
        void Set(Term v, UInt128 x)
        {
            if (v.Kind == TermKind.Var) into[v.Id] = x;
        }
        Set(vars.Kind, (uint)op.Kind);
        var named = op.Patch != Operation.NoPatch;
        Set(vars.Patch, UInt128.One << (named ? op.Patch : 0));
        Set(vars.HasParam, op.Params != 0 ? 1u : 0u);
        Set(vars.Param, Sets(Catalog.AddSetsVariants[op.Params]));
        Set(vars.Named, named && op.Kind == OpKind.Force ? 1u : 0u);
    }

    /// <summary>Where the C# encoder's catalog and the symbolic catalog's attributes, evaluated under the same assignment, differ: one line each; none when they agree.</summary>
    public List<string> Mismatches(TermEvaluator eval)
    {
        var list = new List<string>();
        for (var p = 0; p < c.N; p++)
        {
            var name = Catalog[p].Name;
            void Same(string what, UInt128 symbolic, UInt128 concrete)
            {
                if (symbolic != concrete) list.Add($"{name} {what}: symbolic {symbolic}, concrete {concrete}");
            }
            var patch = Catalog[p];
            Same("vendor", eval.Value(c.Vendor[p]), patch.Origin == Origin.Vendor ? 1u : 0u);
            Same("cumulative", eval.Value(c.Cumulative[p]), patch.Kind == PatchKind.Cumulative ? 1u : 0u);
            Same("funcs", eval.Value(c.Funcs[p]), Functions(Catalog.FunctionBits(p)));
            Same("states", eval.Value(c.StateMask[p]), States(Catalog.StateBits(p)));
            if (c.Reading.Options.States == StateRules.BlockDisable) Same("block", eval.Value(c.BlockMask[p]), States(Catalog.BlockDisableBits(p)));
            if (c.Reading.Options.States == StateRules.Versions)
                for (var b = 0; b < Catalog.StateIds.Length; b++)
                    Same($"version of {Catalog.StateIds[b]}", eval.Value(c.Version[p][stateBit[b]]), Catalog.Version(p, b));
            Same("names a function twice", eval.Value(c.NamesTwice(p)), Catalog.HasDuplicateFunction(p) ? 1u : 0u);
            if (c.Reading.Replace == ReplaceRule.ByReplaceFlag) Same("replace", eval.Value(c.Replace[p]), patch.Replace ? 1u : 0u);
            Same("auto", eval.Value(c.IsAuto[p]), patch.SetSource != SetSource.Fixed && c.Reading.HasSets ? 1u : 0u);
            if (c.Reading.HasSets && patch.SetSource == SetSource.Fixed)
            {
                Same("sets", eval.Value(c.Listed[p]), Sets(patch.Sets));
                Same("own set", eval.Value(c.Own[p]), Sets([patch.Sets[0]]));
            }
            var autoOf = patch.AutoOf is null ? -1 : Catalog.IndexOf(patch.AutoOf);
            if (c.Reading.HasSets) Same("auto of", eval.Value(c.AutoOf[p]), autoOf >= 0 ? UInt128.One << autoOf : 0);
            ulong older = 0, olderHotfix = 0;
            for (var q = 0; q < c.N; q++)
            {
                if (Catalog[q].Origin != Origin.Vendor || Catalog[q].Release >= patch.Release) continue;
                older |= 1UL << q;
                if (Catalog[q].Kind == PatchKind.Hotfix) olderHotfix |= 1UL << q;
            }
            if (patch.Origin == Origin.Vendor)
            {
                Same("older vendor", eval.Value(c.OlderVendor[p]), older);
                Same("older vendor hotfixes", eval.Value(c.OlderVendorHotfix[p]), olderHotfix);
            }
        }
        if (eval.Value(c.Constraints) != 1) list.Add("the catalog breaks the symbolic catalog's constraints");
        return list;
    }

    /// <summary>The number of set bits.</summary>
    public static int Count(UInt128 mask) => (int)UInt128.PopCount(mask);
}
