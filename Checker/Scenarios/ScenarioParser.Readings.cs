using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Proposals;

namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
    private sealed partial class Parser
    {
        private void Directive_Readings(string body, int column)
        {
            var text = body.TrimStart()[8..];
            var list = ParseReadingList(text, column + (body.Length - body.TrimStart().Length) + 8);
            if (list is { Count: 0 }) Error(column, "readings needs at least one reading name");
            expectationReadings = list ?? [];
        }

        private void Directive_Group(string body, int column)
        {
            var text = body.TrimStart()[5..];
            var eq = text.IndexOf('=');
            var name = (eq < 0 ? text : text[..eq]).Trim();
            if (eq < 0 || !ProposalText.IsName(name))
            {
                Error(column, "expected group NAME = READING, ... (NAME: lower-case letters, digits and dashes)");
                return;
            }
            if (groups.ContainsKey(name) || proposals.ContainsKey(name) || Readings.Find(name) is not null || clauseWords.Contains(name))
            {
                Error(column + 6, $"group name '{name}' is already a reading, group or clause word");
                return;
            }
            var list = ParseReadingList(text[(eq + 1)..], column + (body.Length - body.TrimStart().Length) + 6 + eq + 1);
            if (list is { Count: 0 }) Error(column, $"group {name} has no reading");
            if (list is { Count: > 0 }) groups[name] = list;
        }

        // True when a reading list starts here: a built-in reading, all, a group, a proposal named before or a proposal file.
        private bool StartsReadingList(string text)
        {
            var name = new string([.. text.TakeWhile(ch => !char.IsWhiteSpace(ch) && ch is not (',' or '(' or ':'))]);
            return name == "all" || Readings.Find(name) is not null || groups.ContainsKey(name) || proposals.ContainsKey(name)
                || name.EndsWith(ProposalFile.Extension, StringComparison.Ordinal);
        }

        // READING, all, GROUP or -ITEM (removes what ITEM names from the readings listed before it).
        private List<Reading>? ParseReadingList(string text, int column)
        {
            var list = new List<Reading>();
            foreach (var (part, offset) in SplitTopLevel(text, ','))
            {
                var item = part.Trim();
                var remove = item.StartsWith('-');
                var items = ParseItem(remove ? item[1..] : item, column + offset + (remove ? 1 : 0));
                if (items is null) return null;
                if (remove) list.RemoveAll(r => items.Any(x => Expectation.Same(x, r)));
                else list.AddRange(items.Where(x => !list.Any(r => Expectation.Same(x, r))));
            }
            return list;
        }

        private List<Reading>? ParseItem(string text, int column)
        {
            text = text.Trim();
            var open = text.IndexOf('(');
            var name = (open < 0 ? text : text[..open]).Trim();
            if (name == "all" || groups.ContainsKey(name))
            {
                sawReadingReference = true;
                var members = name == "all" ? [.. Readings.All] : groups[name];
                var list = new List<Reading>();
                foreach (var m in members)
                {
                    var r = ParseReading(m.Name + (open < 0 ? "" : text[open..]), column, m);
                    if (r is null) return null;
                    list.Add(r);
                }
                return list;
            }
            return ParseReading(text, column) is { } one ? [one] : null;
        }

        private void Directive_Mode(string body, int column)
        {
            var v = body.Trim()[4..].Trim();
            if (v == "atomic") mode = Granularity.Atomic;
            else if (v == "two-phase") mode = Granularity.TwoPhase;
            else Error(column + 5, $"mode takes atomic or two-phase, not '{v}'");
        }

        private void Directive_Option(string body, int column)
        {
            if (sawReadingReference) Error(column, "option must come before any readings directive or expectation");
            var v = body.Trim()[6..].Trim();
            var o = Readings.Upstream.Options;
            if (!ReadingOptionText.TryApply(ref o, v, out var error)) Error(column + 7, error!);
            else if (v.StartsWith("mode", StringComparison.Ordinal)) Error(column + 7, "use the mode directive to set the granularity");
            else options.Add(v);
        }

        private Reading? ParseReading(string text, int column, Reading? member = null)
        {
            sawReadingReference = true;
            text = text.Trim();
            var open = text.IndexOf('(');
            var name = (open < 0 ? text : text[..open]).Trim();
            var preset = member ?? Readings.Find(name) ?? proposals.GetValueOrDefault(name);
            if (preset is null && name.EndsWith(ProposalFile.Extension, StringComparison.Ordinal))
            {
                try
                {
                    var dir = System.IO.Path.GetDirectoryName(path);
                    preset = ProposalFile.Read(string.IsNullOrEmpty(dir) || System.IO.Path.IsPathRooted(name) ? name : System.IO.Path.Combine(dir, name));
                }
                catch (InputException e)
                {
                    Error(column, $"proposal {e.Diagnostics[0]}");
                    return null;
                }
                if (proposals.TryGetValue(preset.Name, out var earlier) && earlier != preset)
                {
                    Error(column, $"two different proposals are named '{preset.Name}'");
                    return null;
                }
                proposals[preset.Name] = preset;
            }
            if (preset is null)
            {
                Error(column, $"unknown reading '{name}' (known: all, {string.Join(", ", Readings.All.Select(r => r.Name))}, a group, or a FILE{ProposalFile.Extension})");
                return null;
            }
            var o = preset.Options;
            foreach (var setting in options) ReadingOptionText.TryApply(ref o, setting, out _);
            if (open >= 0)
            {
                if (!text.EndsWith(')'))
                {
                    Error(column, $"reading '{text}' lacks a closing ')'");
                    return null;
                }
                foreach (var (part, offset) in SplitTopLevel(text[(open + 1)..^1], ','))
                {
                    if (!ReadingOptionText.TryApply(ref o, part.Trim(), out var error))
                    {
                        Error(column + open + 1 + offset, error!);
                        return null;
                    }
                }
            }
            var reading = preset.With(o with { Granularity = Granularity.Atomic });
            if (!named.Any(r => Expectation.Same(r, reading))) named.Add(reading);
            return reading;
        }
    }
}
