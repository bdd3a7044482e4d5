using System.Text;
using Klp.Check.Model;
using Klp.Check.Proposals;
using Klp.Check.Reports;
using Klp.Check.Scenarios;

namespace Klp.Check.Explore;

/// <summary>"Save as scenario": the explored trace as a scenario file that <c>klp-check replay</c> reproduces with every expectation holding.</summary>
/// <remarks>
/// After every operation, each reading's outcome and every observable after it (the clauses of
/// <see cref="KernelStateText.Observed"/>) become <c>expect</c> lines, readings with the same
/// result sharing a line. A plan's readings that encode it differently step on different
/// catalogs, and a scenario has one: each group of columns that share one is its own file.
/// </remarks>
public static class ExploreScenario
{
    /// <summary>The scenario of one group of columns (<see cref="ExploreView.Groups"/>); null when there is no such group.</summary>
    public static string? Text(ExploreQuery q, int group)
    {
        var groups = ExploreView.Groups(q);
        if (group < 0 || group >= groups.Count) return null;
        var columns = groups[group];
        var catalog = q.Catalogs[columns[0]];
        var readings = columns.Select(k => q.Columns[k]).ToList();
        var replay = ExploreView.Replay(q, columns);
        var names = readings.Select(ProposalFile.ScenarioName).ToList();

        var sb = new StringBuilder();
        sb.AppendLine($"title {q.Catalog.Title}: explored");
        sb.AppendLine($"# Saved by klp-check explore from catalog {q.Catalog.Id} ({q.Catalog.File}); replay it with: klp-check replay FILE");
        if (!q.Catalog.Shared) sb.AppendLine($"# The release plan as {string.Join(", ", readings.Select(r => r.DisplayName))} encode it.");
        foreach (var r in readings.Where(r => Readings.Find(r.Name) is null))
            sb.AppendLine($"# {ProposalFile.ScenarioName(r)} is a proposal file: put a copy beside this file.");
        sb.AppendLine($"readings {string.Join(", ", names)}");
        sb.AppendLine($"mode {ReadingOptionText.ModeName(q.Mode)}");
        sb.AppendLine();
        foreach (var line in CatalogText.Declarations(catalog)) sb.AppendLine(line);
        for (var i = 0; i < q.Ops.Count; i++)
        {
            var op = q.Ops[i];
            sb.AppendLine();
            sb.AppendLine(op.Format(catalog));
            // Per distinct expectation line, the readings it holds for, in column order.
            var lines = new List<(string Line, List<string> Readings)>();
            for (var j = 0; j < readings.Count; j++)
            {
                var outcome = replay.Steps[i + 1].Outcomes[j]!.Value;
                var clauses = KernelStateText.Observed(catalog, readings[j], op, outcome, replay.States[i + 1][j]).Skip(1).Prepend(ScenarioWriter.Expectation(catalog, outcome));
                foreach (var clause in clauses)
                {
                    var at = lines.FindIndex(l => l.Line == clause);
                    if (at < 0) lines.Add((clause, [names[j]]));
                    else lines[at].Readings.Add(names[j]);
                }
            }
            foreach (var (line, rs) in lines) sb.AppendLine($"expect {string.Join(", ", rs)}: {line}");
        }
        return sb.ToString();
    }

    /// <summary>The file name the download suggests: the catalog's name, then <c>-explored</c>, and the group's readings when a plan needs several files.</summary>
    public static string FileName(ExploreQuery q, int group)
    {
        var stem = q.Catalog.Id[(q.Catalog.Id.LastIndexOf('/') + 1)..];
        var groups = ExploreView.Groups(q);
        var suffix = groups.Count > 1 && group >= 0 && group < groups.Count ? "-" + q.Columns[groups[group][0]].Name : "";
        var name = new string([.. (stem + "-explored" + suffix).Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_')]);
        return name + ".klp";
    }
}
