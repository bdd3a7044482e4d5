using System.Globalization;
using System.Text.RegularExpressions;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
    [GeneratedRegex(@"^(?:(?<day>[^:]+?)\s*:\s*)?(?<name>[A-Za-z0-9_.+-]+)\s*:\s*(?<kind>cumulative|hotfix|customer)(?:\s+v(?<ver>\d+))?\s*\(\s*(?<field>replace_sets|replace_set|sets)\s*=\s*(?<sets>\{[^}]*\}|auto(?:\([^)]*\))?|\d+)\s*\)\s*$")]
    private static partial Regex TimelineLine();

    private static readonly string[] addSetsNames =
        ["add_sets", "add_replace_sets", "supplement_replace_sets", "override_replace_sets", "add_merge_slots", "also_obsoletes"];

    private sealed partial class Parser
    {
        private void Timeline(Match m, int column, string text, string? note)
        {
            var name = m.Groups["name"].Value;
            var kindText = m.Groups["kind"].Value;
            var nameColumn = column + m.Groups["name"].Index;
            if (!byName.TryGetValue(name, out var d))
            {
                if (drafts.Count >= Catalog.MaxPatches)
                {
                    Error(nameColumn, $"a scenario declares at most {Catalog.MaxPatches} patches");
                    return;
                }
                d = NewDraft(name, nameColumn);
            }
            else if (d.LoadedByTimeline)
            {
                Error(nameColumn, $"patch '{name}' already has a timeline line at line {d.Line}; load it again with 'load {name}'");
                return;
            }
            d.LoadedByTimeline = true;
            d.Origin ??= kindText == "customer" ? Origin.Customer : Origin.Vendor;
            d.Kind ??= kindText == "cumulative" ? PatchKind.Cumulative : PatchKind.Hotfix;
            if (d.Sets is null && d.SetSource == SetSource.Fixed)
                SetSpec(d, m.Groups["sets"].Value, column + m.Groups["sets"].Index);
            if (m.Groups["ver"].Success && int.Parse(m.Groups["ver"].Value, CultureInfo.InvariantCulture) > 1 && d.UpdateOf is null && d.Funcs is null)
            {
                var h = drafts.LastOrDefault(x => x != d && x.Origin == Origin.Vendor && x.Kind == PatchKind.Hotfix
                    && x.Sets is { } xs && d.Sets is { } ds && xs.SequenceEqual(ds));
                if (h is null) Error(column + m.Groups["ver"].Index - 1, $"'{kindText} v{m.Groups["ver"].Value}' needs an earlier vendor hotfix with the same sets");
                else d.UpdateOf = h;
            }
            AddStep(Model.Operation.Load(d.Index), text, note);
        }

        private void AddStep(Operation op, string text, string? note) => steps.Add((CurrentLine, op, text, note, []));

        private void Operation(List<Token> tokens, string text, string? note)
        {
            var verb = tokens[0].Text;
            Draft? patch = null;
            if (tokens.Count > 1)
            {
                if (!byName.TryGetValue(tokens[1].Text, out patch))
                {
                    Error(tokens[1].Column, $"unknown patch '{tokens[1].Text}'; declare it with 'patch {tokens[1].Text} ...' or a timeline line first");
                    return;
                }
            }
            switch (verb)
            {
                case "load" or "insmod":
                {
                    if (patch is null)
                    {
                        Error(tokens[0].Column, $"{verb} needs a patch name");
                        return;
                    }
                    var variant = 0;
                    foreach (var t in tokens.Skip(2))
                    {
                        var eq = t.Text.IndexOf('=');
                        if (eq < 0 || !addSetsNames.Contains(t.Text[..eq]))
                        {
                            Error(t.Column, $"unknown load parameter '{t.Text}': expected add_sets={{..}} (or add_replace_sets, add_merge_slots, also_obsoletes)");
                            return;
                        }
                        var sets = ParseNumbers(t.Text[(eq + 1)..], t.Column + eq + 1, "set number");
                        if (sets is null) return;
                        if (sets.Value.Length == 0)
                        {
                            Error(t.Column, "add_sets needs at least one set");
                            return;
                        }
                        var at = addSets.FindIndex(a => a.SequenceEqual(sets.Value));
                        if (at < 0)
                        {
                            addSets.Add(sets.Value);
                            at = addSets.Count - 1;
                        }
                        variant = at + 1;
                    }
                    AddStep(Model.Operation.Load(patch.Index, variant), text, note);
                    return;
                }
                case "disable" or "unload" or "rmmod":
                    if (patch is null || tokens.Count > 2)
                    {
                        Error(tokens[0].Column, $"{verb} takes exactly one patch name");
                        return;
                    }
                    AddStep(verb == "disable" ? Model.Operation.Disable(patch.Index) : Model.Operation.Unload(patch.Index), text, note);
                    return;
                case "force":
                    if (tokens.Count > 2)
                    {
                        Error(tokens[2].Column, "force takes at most one patch name");
                        return;
                    }
                    AddStep(Model.Operation.Force(patch?.Index ?? Model.Operation.NoPatch), text, note);
                    return;
                default:
                    if (tokens.Count > 1)
                    {
                        Error(tokens[1].Column, $"{verb} takes no arguments");
                        return;
                    }
                    AddStep(verb == "complete" ? Model.Operation.Complete() : Model.Operation.Reverse(), text, note);
                    return;
            }
        }
    }
}
