using System.Text;
using Klp.Check.Model;
using Klp.Check.Verdicts;

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
public static partial class Promela
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

    /// <summary>Text as it may stand inside a comment of generated Promela or C, whatever a file name or a catalog holds: it can neither end the comment nor reach the next line.</summary>
    /// <remarks>
    /// Printable ASCII stays as it is, except that <c>*/</c> and <c>/*</c> are split by a space and a
    /// backslash (which could splice lines in C) is written as <c>&lt;U+005C&gt;</c>; every other
    /// character (line ends, control characters, non-ASCII) is written as <c>&lt;U+XXXX&gt;</c>.
    /// </remarks>
    public static string CommentText(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is < 0x20 or > 0x7E || v == '\\')
            {
                sb.Append($"<U+{v:X4}>");
                continue;
            }
            if (sb.Length > 0 && ((v == '/' && sb[^1] == '*') || (v == '*' && sb[^1] == '/'))) sb.Append(' ');
            sb.Append((char)v);
        }
        return sb.ToString();
    }

    // One comment line, wrapped to 80 columns; everything after its prefix is made inert.
    private static void Comment(StringBuilder w, string text, string indent)
    {
        // The text starts with its own prefix (" * "), no longer than the indent of the lines after it.
        var prefix = text[..(text.IndexOf(' ', 1) + 1)];
        var lines = TextLayout.Wrap(CommentText(text[prefix.Length..]).Split(' '), indent).ToList();
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
        if (reading.Options.Isolation != Isolation.None || Enumerable.Range(0, n).Any(p => c.Aliases(p) != 0))
            Define(w, "FUNCS(q)", Chain("q", n, q => c.FuncsMask[q]));
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
        w.AppendLine("hidden byte refused, inR, clash;");
        w.AppendLine();
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
}
