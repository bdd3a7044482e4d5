using System.Collections.Immutable;
using System.Globalization;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Exploration;

/// <summary>Parses release plan files (docs/bounds.md): one release per line.</summary>
public static class PlanParser
{
    /// <summary>Reads and parses a plan file.</summary>
    /// <exception cref="ScenarioException">The file cannot be read or is malformed.</exception>
    public static ReleasePlan ParseFile(string path) => Parse(ScenarioParser.ReadSource(path), path);

    /// <summary>Parses plan text.</summary>
    /// <exception cref="ScenarioException">The text is malformed.</exception>
    public static ReleasePlan Parse(string text, string path)
    {
        var errors = new List<Diagnostic>();
        var releases = new List<Release>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            if (line.Trim().Length == 0) continue;
            void Error(int col, string msg) => errors.Add(new Diagnostic(path, n + 1, Math.Max(1, col), msg));
            var words = new List<(string Text, int Column)>();
            for (var i = 0; i < line.Length;)
            {
                while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
                var start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
                if (i > start) words.Add((line[start..i], start + 1));
            }
            string? label = null;
            if (words[0].Text.EndsWith(':'))
            {
                label = words[0].Text[..^1];
                words.RemoveAt(0);
                if (label.Length == 0 || labels.ContainsKey(label))
                {
                    Error(1, label.Length == 0 ? "empty label" : $"label '{label}' is used twice");
                    continue;
                }
            }
            if (words.Count == 0)
            {
                Error(line.Length, "expected an intent: cumulative, hotfix, update NAME or customer");
                continue;
            }
            if (releases.Count >= Catalog.MaxPatches)
            {
                Error(words[0].Column, $"a plan holds at most {Catalog.MaxPatches} releases");
                break;
            }
            int Ref((string Text, int Column) w)
            {
                if (labels.TryGetValue(w.Text, out var i)) return i;
                var plan = new ReleasePlan([.. releases]);
                var k = plan.Names.IndexOf(w.Text);
                if (k >= 0) return k;
                Error(w.Column, $"unknown release '{w.Text}'");
                return -1;
            }
            Release r;
            var k0 = 1;
            switch (words[0].Text)
            {
                case "cumulative": r = new Release(Intent.Cumulative); break;
                case "hotfix": r = new Release(Intent.Hotfix); break;
                case "customer": r = new Release(Intent.Customer); break;
                case "update":
                    if (words.Count < 2)
                    {
                        Error(words[0].Column, "update needs the release it updates");
                        continue;
                    }
                    var h = Ref(words[1]);
                    if (h < 0) continue;
                    if (releases[h].Intent is not (Intent.Hotfix or Intent.Update))
                    {
                        Error(words[1].Column, $"'{words[1].Text}' is not a hotfix");
                        continue;
                    }
                    r = new Release(Intent.Update, Updates: h);
                    k0 = 2;
                    break;
                default:
                    Error(words[0].Column, $"unknown intent '{words[0].Text}': expected cumulative, hotfix, update NAME or customer");
                    continue;
            }
            var ok = true;
            for (var k = k0; k < words.Count && ok; k++)
            {
                if (words[k].Text == "shares" && k + 1 < words.Count && r.Intent == Intent.Customer)
                {
                    var v = Ref(words[++k]);
                    if (v < 0) ok = false;
                    else if (releases[v].Intent == Intent.Customer)
                    {
                        Error(words[k].Column, "a customer release shares a function with a vendor release");
                        ok = false;
                    }
                    else r = r with { SharesWith = v };
                }
                else if (words[k].Text == "state" && k + 1 < words.Count)
                {
                    var s = ParseState(words[++k].Text);
                    if (s is null)
                    {
                        Error(words[k].Column, $"'{words[k].Text}' is not a state: expected ID:vVERSION[:block_disable]");
                        ok = false;
                    }
                    else r = r with { State = s };
                }
                else
                {
                    Error(words[k].Column, $"unexpected '{words[k].Text}': expected shares NAME (customer only) or state ID:vN[:block_disable]");
                    ok = false;
                }
            }
            if (!ok) continue;
            if (label is not null) labels[label] = releases.Count;
            releases.Add(r);
        }
        if (releases.Count == 0 && errors.Count == 0) errors.Add(new Diagnostic(path, 1, 1, "a plan needs at least one release"));
        if (errors.Count > 0) throw new ScenarioException(errors);
        var names = new ReleasePlan([.. releases]).Names.ToArray();
        foreach (var (label, i) in labels) names[i] = label;
        return new ReleasePlan([.. releases]) { Names = [.. names] };
    }

    private static KlpState? ParseState(string text)
    {
        var f = text.Split(':');
        if (!uint.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0) return null;
        uint version = 0;
        var block = false;
        foreach (var x in f.Skip(1))
        {
            if (x == "block_disable") block = true;
            else if (uint.TryParse(x.TrimStart('v'), NumberStyles.None, CultureInfo.InvariantCulture, out var v)) version = v;
            else return null;
        }
        return new KlpState(id, version, block);
    }
}
