using System.Collections.Immutable;
using System.Globalization;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>Parses release plan files (docs/bounds.md): one release per line.</summary>
public static class PlanParser
{
    /// <summary>Reads and parses a plan file.</summary>
    /// <exception cref="InputException">The file cannot be read or is malformed.</exception>
    public static ReleasePlan ParseFile(string path) => Parse(InputFile.Read(path), path);

    /// <summary>Parses plan text; <c>shares NAME</c> may name a later release, <c>update NAME</c> an earlier one.</summary>
    /// <exception cref="InputException">The text is malformed.</exception>
    public static ReleasePlan Parse(string text, string path)
    {
        var errors = new List<Diagnostic>();
        var releases = new List<Release>();
        var rows = new List<(int Line, (string Text, int Column) Head, string? Label, (string Text, int Column)? Shares)>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length && errors.Count < Diagnostic.MaxPerFile; n++)
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
            var head = words[0];
            string? label = null;
            if (words[0].Text.EndsWith(':'))
            {
                label = words[0].Text[..^1];
                words.RemoveAt(0);
                if (!Patch.IsName(label) || labels.ContainsKey(label))
                {
                    Error(head.Column, label.Length == 0 ? "empty label"
                        : labels.ContainsKey(label) ? $"label '{label}' is used twice"
                        : $"'{label}' is not a release label ({Patch.NameRule})");
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
            Release r;
            (string Text, int Column)? shares = null;
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
                    // The names of earlier releases are final: a release's generated name depends only on those before it.
                    var h = Find(words[1].Text, labels, new ReleasePlan([.. releases]).Names);
                    if (h < 0)
                    {
                        Error(words[1].Column, $"unknown release '{words[1].Text}' (an update names an earlier release)");
                        continue;
                    }
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
                if (words[k].Text == "shares" && k + 1 < words.Count && r.Intent == Intent.Customer && shares is null)
                    shares = words[++k];
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
                    Error(words[k].Column, $"unexpected '{words[k].Text}': expected shares NAME (customer only, once) or state ID:vN[:block_disable]");
                    ok = false;
                }
            }
            if (!ok) continue;
            if (label is not null) labels[label] = releases.Count;
            rows.Add((n + 1, head, label, shares));
            releases.Add(r);
        }
        if (releases.Count == 0 && errors.Count == 0) errors.Add(new Diagnostic(path, 1, 1, "a plan needs at least one release"));
        if (errors.Count > 0) throw new InputException(errors);

        var generated = new ReleasePlan([.. releases]).Names;
        var names = generated.ToArray();
        foreach (var (label, i) in labels) names[i] = label;
        // A label that is another release's generated name would make two patches of one name, or a reference mean two releases.
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var other = row.Label is null ? -1 : generated.IndexOf(row.Label);
            if (other >= 0 && other != i)
                errors.Add(new Diagnostic(path, row.Line, row.Head.Column, $"label '{row.Label}' is also the generated name of the release on line {rows[other].Line}; choose another label"));
        }
        var functions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count && errors.Count == 0; i++)
        {
            var function = Patch.OwnFunction(names[i]);
            if (!functions.TryAdd(function, i))
                errors.Add(new Diagnostic(path, rows[i].Line, rows[i].Head.Column, $"'{names[i]}' patches the same function, {function}, as '{names[functions[function]]}' on line {rows[functions[function]].Line}; choose another label"));
        }
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Shares is not { } w) continue;
            var v = Find(w.Text, labels, generated);
            if (v < 0) errors.Add(new Diagnostic(path, rows[i].Line, w.Column, $"unknown release '{w.Text}'"));
            else if (releases[v].Intent == Intent.Customer)
                errors.Add(new Diagnostic(path, rows[i].Line, w.Column, $"'{w.Text}' is a customer release: a customer release shares a function with a vendor release"));
            else releases[i] = releases[i] with { SharesWith = v };
        }
        if (errors.Count > 0) throw new InputException(errors);
        return new ReleasePlan([.. releases]) { Names = [.. names] };
    }

    /// <summary>The release a name refers to: a label first, else a generated name; -1 when none.</summary>
    private static int Find(string name, Dictionary<string, int> labels, IReadOnlyList<string> generated)
    {
        if (labels.TryGetValue(name, out var i)) return i;
        for (var k = 0; k < generated.Count; k++) if (generated[k] == name) return k;
        return -1;
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
