using System.Text;
using Klp.Check.Model;
using Klp.Check.Output;

namespace Klp.Check.Export;

/// <summary>Writes a catalog under a reading as a Promela model for SPIN, in atomic mode: one <c>d_step</c> per load, disable and unload.</summary>
/// <remarks>
/// The catalog is compiled into macros, so it is never part of SPIN's state vector, which holds
/// exactly what <see cref="KernelState"/> distinguishes in atomic mode: the entries of
/// <c>Patches</c> in list order, the set of enabled patches and the loaded modules. SPIN's
/// "states, stored" therefore equals the explorer's distinct states. The load is the reading's
/// policies spelled out in Promela (which entries it replaces, the occupied sets, the state rules,
/// isolation), in the order <see cref="Kernel.Step"/> checks them; the constants are derived from
/// the patches as written, not from the catalog's internal masks, so SPIN cross-checks both.
/// </remarks>
public static class Promela
{
    // Every mask is a Promela int; bit 31 would be its sign.
    private const int MaxBits = 31;

    /// <summary>Why the export cannot express this catalog under this reading (one line), or null when it can.</summary>
    public static string? Unsupported(Catalog catalog, Reading reading)
    {
        if (reading.Options.Granularity != Granularity.Atomic)
            return "mode=two-phase: the Promela export models atomic mode only";
        if (reading.HasSets)
        {
            foreach (var p in catalog.Patches)
                if (p.SetSource != SetSource.Fixed)
                    return $"patch '{p.Name}' has sets={p.SetsText}: sets chosen at load time are not exported";
        }
        var c = new Constants(catalog, reading);
        if (catalog.Count > MaxBits) return $"the Promela export handles at most {MaxBits} patches, this catalog has {catalog.Count}";
        if (reading.HasSets && c.Sets.Count > MaxBits) return $"the Promela export handles at most {MaxBits} set numbers, this catalog uses {c.Sets.Count}";
        if (c.Functions.Count > MaxBits) return $"the Promela export handles at most {MaxBits} functions, this catalog patches {c.Functions.Count}";
        if (c.States.Count > MaxBits) return $"the Promela export handles at most {MaxBits} state ids, this catalog declares {c.States.Count}";
        return null;
    }

    /// <summary>The Promela model of <paramref name="catalog"/> under <paramref name="reading"/>; <paramref name="source"/> names the catalog in the header.</summary>
    /// <exception cref="ArgumentException">The export cannot express them (<see cref="Unsupported"/> says why).</exception>
    public static string Write(Catalog catalog, Reading reading, string source)
    {
        if (Unsupported(catalog, reading) is { } why) throw new ArgumentException(why);
        var c = new Constants(catalog, reading);
        var w = new StringBuilder();
        Header(w, catalog, reading, source, c);
        Macros(w, catalog, reading, c);
        StateVector(w, catalog, c);
        w.AppendLine("active proctype kernel()");
        w.AppendLine("{");
        w.AppendLine("  do");
        for (var p = 0; p < catalog.Count; p++)
            for (var v = 0; v < catalog.AddSetsVariants.Length; v++)
                Load(w, catalog, reading, c, p, v);
        for (var p = 0; p < catalog.Count; p++) Disable(w, catalog, reading, c, p);
        for (var p = 0; p < catalog.Count; p++) Unload(w, catalog, p);
        w.AppendLine("  od");
        w.AppendLine("}");
        return w.ToString();
    }

    private static void Header(StringBuilder w, Catalog catalog, Reading reading, string source, Constants c)
    {
        Comment(w, $"/* klp-check export --promela: {source} under {reading.DisplayName}, mode atomic.", " * ");
        w.AppendLine(" *");
        w.AppendLine(" * The livepatch core with this catalog: every load (with every add_sets value),");
        w.AppendLine(" * disable and unload is one d_step; a refused operation changes nothing.");
        w.AppendLine(" * The state vector is klp-check's kernel state, so SPIN's \"states, stored\"");
        w.AppendLine(" * equals the distinct states of klp-check check --catalog on the same file:");
        w.AppendLine(" *");
        w.AppendLine(" *   spin -a FILE.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c");
        w.AppendLine(" *   ./pan -m100000000 -w24");
        w.AppendLine(" *");
        Comment(w, $" * Reading {reading.Name}: {Policies(reading)}.", " *   ");
        w.AppendLine(" *");
        w.AppendLine(" * Patches (catalog index: name, sets, functions, states):");
        for (var p = 0; p < catalog.Count; p++)
        {
            var patch = catalog[p];
            var states = patch.States.Length == 0 ? "" : " states {" + string.Join(", ", patch.States) + "}";
            Comment(w, $" *   {p,2}: {patch.Name} sets {patch.SetsText}{(patch.Replace ? " replace" : "")} funcs {{{string.Join(", ", patch.Funcs)}}}{states}", " *       ");
        }
        if (reading.HasSets) Comment(w, " * Set masks, bit: number: " + string.Join(", ", c.Sets.Select((s, i) => $"{i}: {s}")), " *   ");
        if (c.Functions.Count > 0) Comment(w, " * Function masks, bit: function: " + string.Join(", ", c.Functions.Select((f, i) => $"{i}: {f}")), " *   ");
        if (c.States.Count > 0) Comment(w, " * State masks, bit: id: " + string.Join(", ", c.States.Select((s, i) => $"{i}: {s}")), " *   ");
        if (catalog.AddSetsVariants.Length > 1)
            Comment(w, " * add_sets values, variant: sets: " + string.Join(", ", catalog.AddSetsVariants.Select((v, i) => $"{i}: {{{string.Join(",", v)}}}").Skip(1)), " *   ");
        w.AppendLine(" */");
        w.AppendLine();
    }

    // One comment line, wrapped to 80 columns.
    private static void Comment(StringBuilder w, string text, string indent)
    {
        // The text starts with its own prefix (" * "), no longer than the indent of the lines after it.
        var prefix = text[..(text.IndexOf(' ', 1) + 1)];
        var lines = TextLayout.Wrap(text[prefix.Length..].Split(' '), indent).ToList();
        w.AppendLine(prefix + lines[0][indent.Length..]);
        foreach (var line in lines.Skip(1)) w.AppendLine(line);
    }

    private static string Policies(Reading r) =>
        $"replace={r.Replace}, membership={r.Membership}, zero={r.Zero}, arity={r.Arity}, "
        + $"add_sets={(r.AddSetsParameter ? "yes" : "no")}, states checked against all={(r.StatesCheckedAgainstAll ? "yes" : "no")}, "
        + string.Join(", ", ReadingOptionText.Format(r.Options));

    private static void Macros(StringBuilder w, Catalog catalog, Reading reading, Constants c)
    {
        var n = catalog.Count;
        w.AppendLine("/* The catalog: constants by patch (q) or add_sets variant (v), not state. */");
        w.AppendLine($"#define PATCHES {n}");
        w.AppendLine(c.Variants ? "#define PATCH(e) ((e) & 31)" : "#define PATCH(e) (e)");
        if (c.Variants) w.AppendLine("#define VARIANT(e) ((e) >> 5)");
        if (reading.Membership == Membership.OwnSet) Define(w, "OWN(q)", Chain("q", n, q => (ulong)c.OwnBit[q]));
        if (reading.Membership == Membership.AllListed) Define(w, "SETS(q)", Chain("q", n, q => c.SetsMask[q]));
        if (reading.HasSets && c.Variants) Define(w, "PARAM(v)", Chain("v", catalog.AddSetsVariants.Length, v => c.ParamMask[v]));
        w.AppendLine(reading.Membership switch
        {
            Membership.None => "#define OCCUPIED(e) 0",
            Membership.OwnSet => "#define OCCUPIED(e) (1 << OWN(PATCH(e)))",
            _ => c.Variants ? "#define OCCUPIED(e) (SETS(PATCH(e)) | PARAM(VARIANT(e)))" : "#define OCCUPIED(e) SETS(PATCH(e))",
        });
        if (reading.Options.Isolation != Isolation.None) Define(w, "FUNCS(q)", Chain("q", n, q => c.FuncsMask[q]));
        if (c.AnyStates)
        {
            Define(w, "STATES(q)", Chain("q", n, q => c.StateMask[q]));
            if (reading.Options.States == StateRules.BlockDisable) Define(w, "BLOCK(q)", Chain("q", n, q => c.BlockMask[q]));
            else
            {
                w.AppendLine("/* NEWER_p(q): the states q declares with a higher version than p does. */");
                for (var p = 0; p < n; p++)
                    if (c.StateMask[p] != 0) Define(w, $"NEWER_{p}(q)", Chain("q", n, q => c.Newer(q, p)));
            }
        }
        w.AppendLine();
        w.AppendLine("/* Removes the patches in mask from Patches, keeping the others in order. */");
        w.AppendLine("inline remove(mask)");
        w.AppendLine("{");
        w.AppendLine("  i = 0; w = 0;");
        w.AppendLine("  do");
        w.AppendLine("  :: i < count ->");
        w.AppendLine("     if");
        w.AppendLine("     :: (mask & (1 << PATCH(entry[i]))) == 0 -> entry[w] = entry[i]; w++");
        w.AppendLine("     :: else -> skip");
        w.AppendLine("     fi;");
        w.AppendLine("     i++");
        w.AppendLine("  :: else -> break");
        w.AppendLine("  od;");
        w.AppendLine("  do");
        w.AppendLine("  :: count > w -> count--; entry[count] = 0");
        w.AppendLine("  :: else -> break");
        w.AppendLine("  od;");
        w.AppendLine("  inpatches = inpatches & ~(mask)");
        w.AppendLine("}");
        w.AppendLine();
    }

    private static void StateVector(StringBuilder w, Catalog catalog, Constants c)
    {
        var n = catalog.Count;
        w.AppendLine("/* The kernel state (atomic mode: no transition, nothing pinned). */");
        w.AppendLine("byte count;                 /* entries in Patches */");
        w.AppendLine($"{(c.Variants && catalog.AddSetsVariants.Length > 8 ? "short" : "byte")} entry[PATCHES];");
        w.AppendLine($"  /* Patches, oldest first: patch index{(c.Variants ? " | add_sets variant << 5" : "")}; 0 past count */");
        w.AppendLine($"unsigned inpatches : {n};   /* the patches in Patches */");
        w.AppendLine($"unsigned loaded : {n};      /* the loaded modules */");
        w.AppendLine();
        w.AppendLine("/* Scratch of the d_steps: hidden, so not in the state vector. */");
        w.AppendLine("hidden byte i, w, q;");
        w.AppendLine("hidden int occ, replaced;");
        w.AppendLine("hidden byte refused, inR;");
        w.AppendLine();
    }

    private static void Load(StringBuilder w, Catalog catalog, Reading r, Constants c, int p, int v)
    {
        var patch = catalog[p];
        var what = v == 0 ? $"load {patch.Name}" : $"load {patch.Name} add_sets={{{string.Join(",", catalog.AddSetsVariants[v])}}}";
        // Check 2, the attributes: they do not depend on the state, so a load they refuse has no d_step.
        if (AttributesRefuse(catalog, r, c, p, v) is { } reason)
        {
            w.AppendLine($"  /* {what}: always refused, {reason.Name()} */");
            return;
        }
        var bit = 1 << p;
        var listed = c.Listed(p, v);
        var replaceAll = r.Replace == ReplaceRule.ByReplaceFlag ? patch.Replace : r.Zero == ZeroRule.ReplacesAll && c.OwnIsZero(p);
        w.AppendLine($"  :: d_step {{ /* {what} */");
        w.AppendLine($"       (loaded & {bit}) == 0;   /* else EEXIST module-loaded */");
        w.AppendLine("       refused = 0; replaced = 0; i = 0;");
        w.AppendLine("       do");
        w.AppendLine("       :: i < count && !refused ->");
        w.AppendLine("          q = PATCH(entry[i]);");
        if (replaceAll) w.AppendLine("          inR = 1;");
        else if (r.Replace == ReplaceRule.ByReplaceFlag) w.AppendLine("          inR = 0;");
        else
        {
            w.AppendLine("          occ = OCCUPIED(entry[i]);");
            if (r.Replace == ReplaceRule.Intersecting) w.AppendLine($"          inR = ((occ & {listed}) != 0);");
            else
            {
                w.AppendLine($"          inR = ((occ & ~{listed}) == 0);");
                var partial = r.Options.PartialOverlap == PartialOverlap.Refuse ? "refused = 1" : "inR = 1";
                w.AppendLine($"          if{(r.Options.PartialOverlap == PartialOverlap.Refuse ? "   /* EINVAL partial-set-overlap */" : "")}");
                w.AppendLine($"          :: !inR && (occ & {listed}) != 0 -> {partial}");
                w.AppendLine("          :: else -> skip");
                w.AppendLine("          fi;");
            }
        }
        var checks = new List<(string Condition, string Reason)>();
        if (c.AnyStates)
        {
            var sp = c.StateMask[p];
            var newer = sp == 0 ? "0" : $"NEWER_{p}(q)";
            if (r.Options.States == StateRules.BlockDisable)
                checks.Add(($"inR && (BLOCK(q) & ~{sp}) != 0", "state-blocked"));
            else
                checks.Add(($"inR && ((STATES(q) & ~{sp}) != 0 || {newer} != 0)", "state-dropped or state-downgrade"));
            if (r.Options.Isolation == Isolation.FunctionsAndStates)
                checks.Add(($"!inR && (STATES(q) & {sp}) != 0", "state-conflict"));
            else if (r.StatesCheckedAgainstAll && r.Options.States == StateRules.Versions)
                checks.Add(($"!inR && {newer} != 0", "state-downgrade"));
        }
        if (r.Options.Isolation != Isolation.None)
            checks.Add(($"!inR && (FUNCS(q) & {c.FuncsMask[p]}) != 0", "function-conflict"));
        foreach (var (condition, reason2) in checks)
        {
            w.AppendLine($"          if   /* EINVAL {reason2} */");
            w.AppendLine($"          :: !refused && {condition} -> refused = 1");
            w.AppendLine("          :: else -> skip");
            w.AppendLine("          fi;");
        }
        w.AppendLine("          if");
        w.AppendLine("          :: inR -> replaced = replaced | (1 << q)");
        w.AppendLine("          :: else -> skip");
        w.AppendLine("          fi;");
        w.AppendLine("          i++");
        w.AppendLine("       :: else -> break");
        w.AppendLine("       od;");
        w.AppendLine("       if");
        w.AppendLine("       :: !refused ->");
        w.AppendLine($"          loaded = loaded | {bit}; inpatches = inpatches | {bit};");
        w.AppendLine($"          entry[count] = {p | (v << 5)}; count++;");
        w.AppendLine("          remove(replaced)");
        w.AppendLine("       :: else -> skip");
        w.AppendLine("       fi");
        w.AppendLine("     }");
    }

    // The load checks that depend only on the patch, the add_sets value and the reading, as Kernel.Step orders them.
    private static Reason? AttributesRefuse(Catalog catalog, Reading r, Constants c, int p, int v)
    {
        if (v != 0 && !r.AddSetsParameter) return Reason.UnsupportedParameter;
        if (!r.HasSets) return null;
        var sets = catalog[p].Sets;
        if (r.Arity == SetArity.Single && sets.Length != 1) return Reason.UnexpressibleAttributes;
        if (r.Zero == ZeroRule.OnlyByZero)
        {
            var hasZero = sets.Contains(0u);
            var zeroOnly = hasZero && sets.All(s => s == 0);
            if ((hasZero && !zeroOnly) || catalog.AddSetsVariants[v].Contains(0u) || (zeroOnly && v != 0))
                return Reason.UnexpressibleAttributes;
        }
        return null;
    }

    private static void Disable(StringBuilder w, Catalog catalog, Reading r, Constants c, int p)
    {
        var what = $"disable {catalog[p].Name}";
        if (r.Options.States == StateRules.BlockDisable && c.BlockMask[p] != 0)
        {
            w.AppendLine($"  /* {what}: always refused, {Reason.DisableBlocked.Name()} */");
            return;
        }
        w.AppendLine($"  :: d_step {{ /* {what} */");
        w.AppendLine($"       (inpatches & {1 << p}) != 0 -> remove({1 << p})");
        w.AppendLine("     }");
    }

    private static void Unload(StringBuilder w, Catalog catalog, int p)
    {
        w.AppendLine($"  :: d_step {{ /* unload {catalog[p].Name} */");
        w.AppendLine($"       (loaded & {1 << p}) != 0 && (inpatches & {1 << p}) == 0 ->");
        w.AppendLine($"          loaded = loaded & ~{1 << p}");
        w.AppendLine("     }");
    }

    // A macro, continued with a backslash over lines of at most 80 columns.
    private static void Define(StringBuilder w, string name, string body)
    {
        var line = new StringBuilder($"#define {name}");
        foreach (var word in body.Split(' '))
        {
            if (line.Length + 1 + word.Length + 2 > TextLayout.Width)
            {
                w.Append(line).AppendLine(" \\");
                line.Clear().Append("   ");
            }
            line.Append(' ').Append(word);
        }
        w.Append(line).AppendLine();
    }

    // A constant table as nested conditional expressions: (q == 0 -> a : (q == 1 -> b : 0)); zero entries are left out.
    private static string Chain(string arg, int count, Func<int, ulong> value)
    {
        var sb = new StringBuilder();
        var open = 0;
        for (var k = 0; k < count; k++)
        {
            var x = value(k);
            if (x == 0) continue;
            sb.Append($"(({arg}) == {k} -> {x} : ");
            open++;
        }
        sb.Append('0').Append(')', open);
        return sb.ToString();
    }

    // The catalog as bit masks, numbered by first appearance in the patches as written.
    private sealed class Constants
    {
        public readonly List<uint> Sets;
        public readonly List<FunctionId> Functions = [];
        public readonly List<uint> States = [];
        public readonly int[] OwnBit;
        public readonly ulong[] SetsMask, FuncsMask, StateMask, BlockMask, ParamMask;
        public readonly bool Variants, AnyStates;
        private readonly Catalog catalog;

        public Constants(Catalog catalog, Reading reading)
        {
            this.catalog = catalog;
            var n = catalog.Count;
            Sets = [.. catalog.Patches.Where(p => p.SetSource == SetSource.Fixed).SelectMany(p => p.Sets)
                .Concat(catalog.AddSetsVariants.SelectMany(v => v)).Distinct().Order()];
            OwnBit = new int[n];
            SetsMask = new ulong[n];
            FuncsMask = new ulong[n];
            StateMask = new ulong[n];
            BlockMask = new ulong[n];
            var exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
            for (var p = 0; p < n; p++)
            {
                var patch = catalog[p];
                if (patch.SetSource == SetSource.Fixed)
                {
                    OwnBit[p] = Sets.IndexOf(patch.Sets[0]);
                    SetsMask[p] = Mask(patch.Sets);
                }
                foreach (var f in patch.Funcs)
                    FuncsMask[p] |= 1UL << Intern(Functions, exact ? f : f.Normalized);
                foreach (var s in patch.States)
                {
                    var b = 1UL << Intern(States, s.Id);
                    StateMask[p] |= b;
                    if (s.BlockDisable) BlockMask[p] |= b;
                }
            }
            ParamMask = [.. catalog.AddSetsVariants.Select(v => Mask(v))];
            Variants = catalog.AddSetsVariants.Length > 1;
            AnyStates = StateMask.Any(m => m != 0);
        }

        public ulong Listed(int p, int v) => SetsMask[p] | ParamMask[v];

        public bool OwnIsZero(int p) => catalog[p].SetSource == SetSource.Fixed && catalog[p].Sets[0] == 0;

        // The states q declares with a higher version than p declares them.
        public ulong Newer(int q, int p)
        {
            ulong mask = 0;
            foreach (var sq in catalog[q].States)
                foreach (var sp in catalog[p].States)
                    if (sp.Id == sq.Id && sq.Version > sp.Version) mask |= 1UL << States.IndexOf(sq.Id);
            return mask;
        }

        private ulong Mask(IEnumerable<uint> sets)
        {
            ulong m = 0;
            foreach (var s in sets) m |= 1UL << Sets.IndexOf(s);
            return m;
        }

        private static int Intern<T>(List<T> list, T item)
        {
            var i = list.IndexOf(item);
            if (i >= 0) return i;
            list.Add(item);
            return list.Count - 1;
        }
    }
}
