using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>A release plan of N releases with symbolic intents, and the catalog the reading's encoder builds from it, as terms (docs/semantics.md section 5.1; the C# encoder is <c>ReleasePlan.Encode</c>).</summary>
/// <remarks>
/// The plans are those compare enumerates (docs/bounds.md) with the counts lifted: any number of
/// cumulatives, hotfix lines, updates (each of the latest version of its line) and customer
/// releases; a customer release may share the function of any one vendor cumulative or hotfix;
/// only cumulatives declare state 1, and once one does every later one does, with a version that
/// never decreases and a <c>block_disable</c> flag that, once set, stays. A shorter plan is the prefix of
/// a longer one (a release's attributes depend only on those before it), and its catalog is the
/// longer catalog without the later patches, which a trace need not load.
/// Set numbers are bits: 0 and 1 as themselves, then one fresh set per release (bit 2 + i), which
/// the concrete encoder numbers 2, 3, ... for hotfixes and 1000, 1001, ... for customers: only
/// equality and 0 matter to <see cref="Kernel.Step"/> there. Under the dynamic encoding the
/// allocator compares numbers, so bit k is the number k, for k up to 2N, which no allocation can
/// pass: an entry occupies at most N numbers and all others one each.
/// </remarks>
public static class SymbolicPlan
{
    /// <summary>Intent values.</summary>
    public const int Cumulative = 0, Hotfix = 1, Update = 2, Customer = 3;

    /// <summary>The symbolic plan and its encoding under the reading.</summary>
    public static SymbolicCatalog Build(Terms t, ProofScope scope, Reading reading)
    {
        var c = new SymbolicCatalog(t, scope, reading);
        var n = c.N;
        var constraints = new List<Term>();
        Term V(string name, int width)
        {
            var v = t.Var(name, width);
            c.Variables.Add(v);
            return v;
        }
        var intent = new Term[n];
        var updates = new Term[n];
        var shares = new Term[n];
        var declares = new Term[n];
        var version = new Term[n];
        var block = new Term[n];
        var line = new Term[n];
        var versions = reading.Options.States == StateRules.Versions;
        var blocks = reading.Options.States == StateRules.BlockDisable;
        for (var i = 0; i < n; i++)
        {
            intent[i] = V($"c.r{i}.intent", 2);
            updates[i] = V($"c.r{i}.updates", n);
            shares[i] = V($"c.r{i}.shares", n);
            declares[i] = V($"c.r{i}.state", 0);
            version[i] = versions ? V($"c.r{i}.version", c.VW) : t.Zero(c.VW);
            block[i] = blocks ? V($"c.r{i}.block", 0) : t.False;
        }
        Term Is(int i, int what) => t.Eq(intent[i], t.Bv(2, (ulong)what));
        for (var i = 0; i < n; i++)
        {
            // An update names one earlier hotfix or update: the latest version of its line.
            var targets = new List<Term>();
            for (var j = 0; j < n; j++)
            {
                var only = t.Eq(updates[i], t.BitConst(n, j));
                if (j >= i) continue;
                var laterInLine = Enumerable.Range(j + 1, i - j - 1).Select(k => t.And(Is(k, Update), t.Eq(line[k], line[j])));
                targets.Add(t.And(only, t.Or(Is(j, Hotfix), Is(j, Update)), t.Not(t.Or(laterInLine))));
            }
            constraints.Add(t.Ite(Is(i, Update), t.Or(targets), t.IsZero(updates[i])));
            line[i] = t.Ite(Is(i, Hotfix), t.BitConst(n, i), t.Ite(Is(i, Update), t.Select(updates[i], Before(line, i, t.Zero(n))), t.Zero(n)));

            // A customer release shares the function of at most one vendor cumulative or hotfix.
            var shared = Enumerable.Range(0, n).Where(j => j != i)
                .Select(j => t.And(t.Eq(shares[i], t.BitConst(n, j)), t.Or(Is(j, Cumulative), Is(j, Hotfix))));
            constraints.Add(t.Ite(Is(i, Customer), t.Or([t.IsZero(shares[i]), .. shared]), t.IsZero(shares[i])));

            // States: only cumulatives, carried by every later one, versions never decrease, block stays.
            constraints.Add(t.Implies(declares[i], Is(i, Cumulative)));
            if (versions) constraints.Add(t.Implies(t.Not(declares[i]), t.IsZero(version[i])));
            if (blocks) constraints.Add(t.Implies(block[i], declares[i]));
            for (var j = 0; j < i; j++)
            {
                var both = t.And(declares[j], Is(i, Cumulative));
                constraints.Add(t.Implies(both, declares[i]));
                if (versions) constraints.Add(t.Implies(both, t.Ule(version[j], version[i])));
                if (blocks) constraints.Add(t.Implies(t.And(both, block[j]), block[i]));
            }
        }
        c.Plan = new PlanTerms(intent, updates, shares, declares, version, block);

        var funcs = new Term[n];
        var dynamicSets = t.BitConst(c.U, 1);
        var hotfixSets = t.Zero(c.U);
        for (var i = 0; i < n; i++)
        {
            // A cumulative rolls up every earlier vendor release's functions: those are the own
            // functions of the earlier cumulatives and hotfixes (an update patches its line's
            // hotfix's), so the union is flat; an update patches the function of its line.
            var own = t.BitConst(n, i);
            var earlier = t.FromBits(Enumerable.Range(0, n).Select(j => j < i ? t.Or(Is(j, Cumulative), Is(j, Hotfix)) : t.False).ToList());
            funcs[i] = t.Ite(Is(i, Cumulative), t.BvOr(own, earlier),
                t.Ite(Is(i, Hotfix), own,
                t.Ite(Is(i, Update), line[i], t.BvOr(own, shares[i]))));
            c.Funcs[i] = c.Spell0[i] = funcs[i];
            c.Spell1[i] = t.Zero(n);
            c.Dup[i] = t.False;
            c.Vendor[i] = t.Not(Is(i, Customer));
            c.Cumulative[i] = Is(i, Cumulative);
            c.Replace[i] = reading.Encoding == PlanEncoding.ReplaceFlag ? Is(i, Cumulative) : t.False;
            c.StateMask[i] = t.Ite(declares[i], t.Bv(1, 1), t.Bv(1, 0));
            c.BlockMask[i] = t.Ite(block[i], t.Bv(1, 1), t.Bv(1, 0));
            c.Version[i] = [version[i]];

            var fresh = t.BitConst(c.U, 2 + i);
            var lineSet = t.Concat(line[i], t.Zero(2));
            if (lineSet.Width < c.U) lineSet = t.Concat(t.Zero(c.U - lineSet.Width), lineSet);
            c.IsAuto[i] = t.False;
            c.AutoOf[i] = t.Zero(n);
            switch (reading.Encoding)
            {
                case PlanEncoding.ReplaceFlag:
                    c.Listed[i] = c.Own[i] = t.BitConst(c.U, 0);
                    break;
                case PlanEncoding.Dynamic:
                    var auto = t.Not(Is(i, Cumulative));
                    c.IsAuto[i] = auto;
                    c.AutoOf[i] = t.When(Is(i, Update), updates[i]);
                    c.Listed[i] = t.When(Is(i, Cumulative), dynamicSets);
                    c.Own[i] = t.When(Is(i, Cumulative), t.BitConst(c.U, 1));
                    // The next cumulative expects one more hotfix line: {1..k+1} grows by one bit.
                    dynamicSets = t.Ite(Is(i, Hotfix), t.BvOr(t.ShiftLeft(dynamicSets, 1), t.BitConst(c.U, 1)), dynamicSets);
                    break;
                default:
                    var cumulativeSets = reading.Encoding switch
                    {
                        PlanEncoding.SingleSet => t.BitConst(c.U, 1),
                        PlanEncoding.ZeroSet => t.BitConst(c.U, 0),
                        _ => t.BvOr(t.BitConst(c.U, 1), hotfixSets),
                    };
                    var cumulativeOwn = reading.Encoding == PlanEncoding.ZeroSet ? t.BitConst(c.U, 0) : t.BitConst(c.U, 1);
                    c.Listed[i] = t.Ite(Is(i, Cumulative), cumulativeSets, t.Ite(Is(i, Update), lineSet, fresh));
                    c.Own[i] = t.Ite(Is(i, Cumulative), cumulativeOwn, t.Ite(Is(i, Update), lineSet, fresh));
                    hotfixSets = t.BvOr(hotfixSets, t.When(Is(i, Hotfix), fresh));
                    break;
            }
        }
        for (var i = 0; i < n; i++)
        {
            var ii = i;
            c.OlderVendor[i] = t.FromBits(c.Per(j => j < ii ? c.Vendor[j] : t.False));
            c.OlderVendorHotfix[i] = t.FromBits(c.Per(j => j < ii ? t.And(c.Vendor[j], t.Not(c.Cumulative[j])) : t.False));
        }
        c.Constraints = t.And(constraints);
        return c;
    }

    // The values of the releases before i, and 0 for the others (an update names an earlier release).
    private static Term[] Before(Term[] values, int i, Term zero) => [.. values.Select((v, j) => j < i ? v : zero)];
}
