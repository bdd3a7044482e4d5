using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Comparison;

/// <summary>One cell of a baseline: a reading, a property, its verdict word, and the line of the file it is on.</summary>
/// <param name="Reading">The reading's display name.</param>
/// <param name="Property">The property's id.</param>
/// <param name="Verdict">The verdict word (<see cref="Verdicts.Verdict.Word"/>).</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="ProvedUpTo">With <c>proved:N</c> after the verdict, the N of its proof (<c>compare --prove N</c>); null without.</param>
public sealed record BaselineCell(string Reading, string Property, string Verdict, int Line, int? ProvedUpTo = null);

/// <summary>A committed verdict baseline: one line per (reading, property) cell, <c>READING PROPERTY VERDICT</c>, and <c>proved:N</c> after a cell that <c>compare --prove N</c> proved.</summary>
public sealed class Baseline
{
    private readonly Dictionary<(string Reading, string Property), BaselineCell> cells = [];

    private Baseline() { }

    /// <summary>The cells, in file order.</summary>
    public IReadOnlyCollection<BaselineCell> Cells => cells.Values;

    /// <summary>The baseline text of a comparison.</summary>
    public static string Write(IReadOnlyList<ReadingResult> results)
    {
        var sb = new System.Text.StringBuilder();
        var proofs = results.Any(r => r.Verdicts.Any(v => v.Proof is not null));
        sb.AppendLine("# klp-check verdict baseline: READING PROPERTY holds|violated[FEATURES]|n/a|inconclusive" + (proofs ? " [proved:N]" : ""));
        foreach (var r in results)
            foreach (var v in r.Verdicts)
                sb.AppendLine($"{r.Reading.DisplayName} {v.Property.Id} {v.Word}{(v.Proved ? $" proved:{v.Proof!.Patches}" : "")}");
        return sb.ToString();
    }

    /// <summary>Parses a baseline; errors carry FILE:LINE:COLUMN, and reading stops after as many errors as a scenario file reports.</summary>
    public static Baseline Parse(string text, string path, List<string> errors)
    {
        var baseline = new Baseline();
        var cells = baseline.cells;
        var lines = text.Split('\n');
        var first = errors.Count;
        for (var i = 0; i < lines.Length && errors.Count - first < Diagnostic.MaxPerFile; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is not (3 or 4) || words[2] is not ("holds" or "violated" or "violated[f]" or "violated[s]" or "violated[fs]" or "n/a" or "inconclusive"))
            {
                errors.Add($"{path}:{i + 1}:1: expected 'READING PROPERTY holds|violated|violated[f]|violated[s]|violated[fs]|n/a|inconclusive [proved:N]'");
                continue;
            }
            int? proved = null;
            if (words.Length == 4)
            {
                if (words[2] != "holds" || !words[3].StartsWith("proved:", StringComparison.Ordinal)
                    || !int.TryParse(words[3].AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
                {
                    errors.Add($"{path}:{i + 1}:{line.LastIndexOf(words[3], StringComparison.Ordinal) + 1}: expected 'proved:N' (N a whole number from 1) after 'holds', not '{words[3]}'");
                    continue;
                }
                proved = n;
            }
            if (Readings.Parse(words[0], out _) is not { } reading || reading.DisplayName != words[0])
            {
                errors.Add($"{path}:{i + 1}:{line.IndexOf(words[0], StringComparison.Ordinal) + 1}: unknown reading '{words[0]}'");
                continue;
            }
            if (PropertyRegistry.Find(words[1]) is null)
            {
                errors.Add($"{path}:{i + 1}:{line.IndexOf(words[1], StringComparison.Ordinal) + 1}: unknown property '{words[1]}'");
                continue;
            }
            if (!cells.TryAdd((words[0], words[1]), new BaselineCell(words[0], words[1], words[2], i + 1, proved)))
                errors.Add($"{path}:{i + 1}:1: cell {words[0]} {words[1]} appears twice");
        }
        return baseline;
    }

    /// <summary>The differences between a baseline and results: one line per changed, missing or unexpected cell.</summary>
    public List<string> Diff(IReadOnlyList<ReadingResult> results, string path)
    {
        var changes = new List<string>();
        var seen = new HashSet<(string, string)>();
        foreach (var r in results)
            foreach (var v in r.Verdicts)
            {
                var key = (r.Reading.DisplayName, v.Property.Id);
                seen.Add(key);
                if (!cells.TryGetValue(key, out var e))
                    changes.Add($"{path}: no baseline for {key.Item1} {key.Item2} (now {v.Word})");
                else if (e.Verdict != v.Word)
                    changes.Add($"{path}:{e.Line}:1: {key.Item1} {key.Item2}: baseline says {e.Verdict}, now {v.Word}");
                // A proof the baseline records and this run does not have (not asked, unknown, or for fewer releases) is lost.
                else if (e.ProvedUpTo is { } n && !(v.Proved && v.Proof!.Patches >= n))
                    changes.Add($"{path}:{e.Line}:1: {key.Item1} {key.Item2}: baseline says {e.Verdict} proved:{n}, now {v.Word}"
                        + (v.Proof is { } p ? $" ({p.Verdict} at {p.Patches} releases)" : " (not proved: compare --prove N proves)"));
            }
        foreach (var (key, e) in cells)
            if (!seen.Contains(key) && results.Any(r => r.Reading.DisplayName == key.Reading))
                changes.Add($"{path}:{e.Line}:1: {key.Reading} {key.Property}: in the baseline but not checked");
        return changes;
    }
}
