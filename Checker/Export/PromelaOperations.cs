using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Export;

// The operations as d_steps: a load spells out the reading's policies in the order Kernel.Step
// checks them; disable and unload are the kernel's sysfs and module rules.
public static partial class Promela
{
    private static void Load(StringBuilder w, Catalog catalog, Reading r, Constants c, int p, int v)
    {
        var patch = catalog[p];
        var what = CommentText(v == 0 ? $"load {patch.Name}" : $"load {patch.Name} add_sets={{{string.Join(",", catalog.AddSetsVariants[v])}}}");
        // Check 2, the attributes, and the sysfs names of the patch's own functions: they do not
        // depend on the state, so a load they refuse has no d_step (every refusal keeps the state,
        // so the later place of the duplicate-function check changes no reachable state).
        if ((AttributesRefuse(catalog, r, c, p, v) ?? (catalog.HasDuplicateFunction(p) ? Reason.DuplicateFunction : null)) is { } reason)
        {
            w.AppendLine($"  /* {what}: always refused, {reason.Name()} */");
            return;
        }
        var bit = 1 << p;
        var listed = c.Listed(p, v);
        var replaceAll = r.Replace == ReplaceRule.ByReplaceFlag ? patch.Replace : r.Zero == ZeroRule.ReplacesAll && c.OwnIsZero(p);
        w.AppendLine($"  :: d_step {{ /* {what} */");
        w.AppendLine($"       (loaded & {bit}) == 0;   /* else EEXIST module-loaded */");
        var aliases = c.Aliases(p);
        w.AppendLine($"       refused = 0; replaced = 0; i = 0;{(aliases != 0 ? " clash = 0;" : "")}");
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
        if (aliases != 0)
        {
            // klp_add_object_nops() matches functions by exact sympos: a nop for Q's f (sympos 0)
            // and P's f@1 get the same sysfs name.
            w.AppendLine("          if");
            w.AppendLine($"          :: inR && (FUNCS(q) & {aliases}) != 0 -> clash = 1");
            w.AppendLine("          :: else -> skip");
            w.AppendLine("          fi;");
        }
        w.AppendLine("          i++");
        w.AppendLine("       :: else -> break");
        w.AppendLine("       od;");
        if (aliases != 0)
        {
            // After every entry's compatibility, as klp_init_patch() adds the nops.
            w.AppendLine("       if   /* EEXIST nop-name-clash */");
            w.AppendLine("       :: !refused && clash -> refused = 1");
            w.AppendLine("       :: else -> skip");
            w.AppendLine("       fi;");
        }
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
        var what = CommentText($"disable {catalog[p].Name}");
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
        w.AppendLine($"  :: d_step {{ /* {CommentText($"unload {catalog[p].Name}")} */");
        w.AppendLine($"       (loaded & {1 << p}) != 0 && (inpatches & {1 << p}) == 0 ->");
        w.AppendLine($"          loaded = loaded & ~{1 << p}");
        w.AppendLine("     }");
    }
}
