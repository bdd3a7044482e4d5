using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

/// <summary>Writes traces as scenario files that <c>klp-check replay</c> reads back.</summary>
public static class ScenarioWriter
{
    /// <summary>A scenario that replays a trace under one reading; the last step carries its outcome as an expectation.</summary>
    /// <param name="title">The scenario's title.</param>
    /// <param name="catalog">The patches the trace loads.</param>
    /// <param name="reading">The reading the trace is replayed under.</param>
    /// <param name="trace">The operations, from the empty kernel.</param>
    /// <param name="note">A note on the last step.</param>
    /// <param name="readingName">How the <c>readings</c> line names the reading; when null, its display name for a built-in reading and its proposal file beside the scenario for any other (<see cref="Proposals.ProposalFile.ScenarioName"/>).</param>
    public static string Write(string title, Catalog catalog, Reading reading, IReadOnlyList<Operation> trace, string? note = null, string? readingName = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"title {title}");
        sb.AppendLine($"readings {readingName ?? Proposals.ProposalFile.ScenarioName(reading)}");
        sb.AppendLine($"mode {ReadingOptionText.ModeName(reading.Options.Granularity)}");
        sb.AppendLine();
        // Declarations must precede auto(H) and update= references: they come in catalog order.
        foreach (var line in CatalogText.Declarations(catalog)) sb.AppendLine(line);
        sb.AppendLine();
        var outcomes = new Trace(catalog, reading, trace).Replay();
        for (var i = 0; i < trace.Count; i++)
        {
            var o = outcomes[i];
            sb.Append(trace[i].Format(catalog));
            if (i == trace.Count - 1 && note is not null) sb.Append("   <- ").Append(note);
            sb.AppendLine();
            var outcome = Expectation(catalog, o);
            var enabled = $"enabled {{{string.Join(", ", Observables.Enabled(o.State).Select(p => catalog[p].Name))}}}";
            // Two expect lines rather than one past 80 columns.
            sb.AppendLine($"expect {outcome}; {enabled}".Length <= 80 ? $"expect {outcome}; {enabled}" : $"expect {outcome}\nexpect {enabled}");
        }
        return sb.ToString();
    }

    /// <summary>An operation's outcome as the scenario clause that expects it: <c>accepted replaces {A, B}</c>, <c>accepted replaces nothing</c> or <c>refused ERRNO reason</c>.</summary>
    public static string Expectation(Catalog catalog, Outcome o) => o.Accepted
        ? o.Affected == 0 ? "accepted replaces nothing" : $"accepted replaces {{{string.Join(", ", catalog.NamesOf(o.Affected))}}}"
        : $"refused {o.Errno} {o.Reason.Name()}";
}
