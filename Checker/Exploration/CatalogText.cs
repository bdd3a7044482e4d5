using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Exploration;

/// <summary>Writes catalogs and traces as scenario files that <c>klp-check replay</c> reads back.</summary>
public static class CatalogText
{
    /// <summary>One <c>patch</c> declaration per line, with every attribute explicit.</summary>
    public static string Describe(Catalog catalog)
    {
        var sb = new StringBuilder();
        foreach (var p in catalog.Patches) sb.AppendLine(Declaration(p));
        return sb.ToString();
    }

    /// <summary>The declaration of one patch.</summary>
    public static string Declaration(Patch p)
    {
        var sb = new StringBuilder($"patch {p.Name} {(p.Origin == Origin.Vendor ? "vendor" : "customer")} {(p.Kind == PatchKind.Cumulative ? "cumulative" : "hotfix")}");
        sb.Append($" release={p.Release} replace={(p.Replace ? "true" : "false")} sets={(p.SetSource == SetSource.Fixed ? p.SetsText : p.SetsText)}");
        sb.Append(" funcs={").Append(string.Join(", ", p.Funcs)).Append('}');
        if (p.States.Length > 0) sb.Append(" states={").Append(string.Join(", ", p.States)).Append('}');
        if (p.Updates is not null) sb.Append($" update={p.Updates}");
        return sb.ToString();
    }

    /// <summary>A scenario that replays a trace under one reading; the last step carries its outcome as an expectation.</summary>
    public static string Scenario(string title, Catalog catalog, Reading reading, IReadOnlyList<Operation> trace, string? note = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"title {title}");
        sb.AppendLine($"readings {reading.DisplayName}");
        sb.AppendLine($"mode {(reading.Options.Granularity == Granularity.TwoPhase ? "two-phase" : "atomic")}");
        sb.AppendLine();
        // Declarations must precede auto(H) and update= references: they come in catalog order.
        foreach (var p in catalog.Patches) sb.AppendLine(Declaration(p));
        sb.AppendLine();
        var s = KernelState.Empty;
        for (var i = 0; i < trace.Count; i++)
        {
            var o = Kernel.Step(catalog, reading, s, trace[i]);
            sb.Append(trace[i].Format(catalog));
            if (i == trace.Count - 1 && note is not null) sb.Append("   <- ").Append(note);
            sb.AppendLine();
            sb.Append("expect ").Append(o.Accepted
                ? $"accepted replaces {{{string.Join(", ", catalog.NamesOf(o.Affected))}}}"
                : $"refused {o.Errno} {o.Reason.Name()}");
            sb.AppendLine($"; enabled {{{string.Join(", ", Observables.Enabled(o.State).Select(p => catalog[p].Name))}}}");
            s = o.State;
        }
        return sb.ToString();
    }
}
