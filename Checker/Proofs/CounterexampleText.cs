using Klp.Check.Model;

namespace Klp.Check.Proofs;

/// <summary>Writes a counterexample to induction: the catalog, the states of the window and its operations, as lines of text.</summary>
/// <remarks>
/// Such a state need not be reachable (that is what makes induction fail), so it is written
/// field by field, as the solver gave it, rather than as a <see cref="KernelState"/>.
/// </remarks>
internal static class CounterexampleText
{
    public static List<string> Induction(Prover prover, Prover.Cti cti)
    {
        var c = prover.Catalog;
        var roots = cti.States.SelectMany(s => s.Fields).Concat(cti.Ops.SelectMany(o => o.Fields)).Concat(c.Variables).ToList();
        var eval = new TermEvaluator(c.T, roots);
        eval.Evaluate(v => cti.Values.TryGetValue(v.Id, out var x) ? x : 0);
        UInt128 Value(Term t) => eval.Value(t);
        var lines = new List<string>();
        ConcreteInput input;
        try
        {
            input = ConcreteInput.Build(c, Value);
        }
        catch (Exception e) when (e is CatalogException or InvalidOperationException or KeyNotFoundException)
        {
            lines.Add($"(the catalog of the counterexample cannot be written: {e.Message})");
            return lines;
        }
        string Name(int p) => input.Catalog[p].Name;
        string Patches(UInt128 mask) => "{" + string.Join(", ", Enumerable.Range(0, c.N).Where(p => (mask >> p & 1) != 0).Select(Name)) + "}";
        string Sets(UInt128 mask) => "{" + string.Join(",", Enumerable.Range(0, c.U).Where(b => (mask >> b & 1) != 0)) + "}";
        lines.Add(input.Plan is null ? "catalog:" : "plan:");
        lines.AddRange(input.Describe().TrimEnd().Split('\n').Select(l => "  " + l));
        for (var i = 0; i < cti.States.Count; i++)
        {
            var s = cti.States[i];
            var list = Value(s.InList);
            var entries = Enumerable.Range(0, c.N).Where(p => (list >> p & 1) != 0)
                .OrderBy(p => ConcreteInput.Count(Value(s.Older[p]) & list)).ToList();
            string Extras(int p)
            {
                var parts = new List<string>();
                if (Value(s.Param[p]) != 0) parts.Add("add_sets=" + Sets(Value(s.Param[p])));
                if (Value(s.Auto[p]) != 0) parts.Add("allocated " + Sets(Value(s.Auto[p])));
                var older = Value(s.Older[p]) & list;
                var expected = entries.TakeWhile(q => q != p).Aggregate(UInt128.Zero, (m, q) => m | (UInt128.One << q));
                if (older != expected) parts.Add("after " + Patches(older));
                return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
            }
            var line = $"state {i}: list [{string.Join(", ", entries.Select(p => Name(p) + Extras(p)))}]";
            var trans = Value(s.Trans);
            line += trans == 0 ? ", no transition" : $", transition {Patches(trans)} to {(Value(s.Target) == 1 ? "patched" : "unpatched")} replacing {Patches(Value(s.Replacing))}";
            line += $", loaded {Patches(Value(s.Loaded))}, pinned {Patches(Value(s.Pinned))}";
            lines.Add(line);
            if (i >= cti.Ops.Count) continue;
            var op = cti.Ops[i];
            var kind = (OpKind)(int)Value(op.Kind);
            var patch = Name((int)UInt128.TrailingZeroCount(Value(op.Patch) == 0 ? 1 : Value(op.Patch)));
            var text = kind switch
            {
                OpKind.Load => $"load {patch}" + (Value(op.HasParam) == 1 ? " add_sets=" + Sets(Value(op.Param)) : ""),
                OpKind.Disable => $"disable {patch}",
                OpKind.Unload => $"unload {patch}",
                OpKind.Force => Value(op.Named) == 1 ? $"force {patch}" : "force",
                _ => kind.ToString().ToLowerInvariant(),
            };
            lines.Add($"operation {i + 1}: {text}");
        }
        return lines;
    }
}
