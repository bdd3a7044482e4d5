using System.Globalization;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
    private sealed partial class Parser
    {
        private static readonly string[] clauseWords =
            ["accepted", "refused", "enabled", "active", "states", "occupies", "loaded", "pinned", "transition", "stack_order"];

        // A runs clause names a function some patch of the catalog patches; known only once it is built.
        private void CheckFunctions(Catalog catalog)
        {
            foreach (var step in steps)
                foreach (var e in step.Expectations)
                    if (e.Clause is RunsClause r && catalog.IndexOfFunction(r.Function) < 0)
                    {
                        CurrentLine = e.Line;
                        Error(e.Column + r.FunctionColumn, $"unknown function '{r.Function}': no patch patches it");
                    }
        }

        private void Expect(string body, int column)
        {
            var lead = body.Length - body.TrimStart().Length;
            var rest = body.TrimStart()[6..];
            var restColumn = column + lead + 6;
            List<Reading>? readings = null;
            var trimmed = rest.TrimStart();
            restColumn += rest.Length - trimmed.Length;
            var word = new string([.. trimmed.TakeWhile(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-')]);
            var known = StartsReadingList(trimmed);
            // "expect flatt: ..." names a reading that does not exist, not an unknown clause.
            if (!known && word.Length > 0 && !clauseWords.Contains(word) && trimmed[word.Length..].TrimStart() is [':' or ',' or '(', ..])
            {
                Error(restColumn, $"unknown reading '{word}' (known: {string.Join(", ", Readings.All.Select(r => r.Name))})");
                return;
            }
            if (known)
            {
                var colon = TopLevelIndexOf(trimmed, ':');
                if (colon < 0)
                {
                    Error(restColumn, "expect READINGS: CLAUSE needs a ':' after the readings");
                    return;
                }
                readings = ParseReadingList(trimmed[..colon], restColumn);
                if (readings is null) return;
                if (readings.Count == 0)
                {
                    Error(restColumn, "the reading list names no reading");
                    return;
                }
                restColumn += colon + 1;
                trimmed = trimmed[(colon + 1)..];
            }
            else sawReadingReference = true;
            foreach (var (part, at) in SplitTopLevel(trimmed, ';'))
            {
                var clause = ParseClause(part.Trim(), restColumn + at);
                if (clause is not null) steps[^1].Expectations.Add(new Expectation(CurrentLine, restColumn + at, part.Trim(), readings, clause));
            }
            if (SplitTopLevel(trimmed, ';').Count == 0) Error(restColumn, "expect needs a clause: accepted, refused, enabled, active, runs, states, occupies, loaded, pinned, transition, stack_order");
        }

        private Clause? ParseClause(string text, int column)
        {
            var tokens = Tokenize(text, column);
            if (tokens is null || tokens.Count == 0) return null;
            var kw = tokens[0];
            bool Arity(int min, int max)
            {
                if (tokens.Count >= min && tokens.Count <= max) return true;
                Error(kw.Column, $"'{text}': wrong number of words for {kw.Text}");
                return false;
            }
            var isStep = steps.Count > 1;
            switch (kw.Text)
            {
                case "accepted":
                    if (!isStep) break;
                    if (tokens.Count == 1) return new AcceptedClause(null);
                    if (!Arity(3, 3) || tokens[1].Text is not ("replaces" or "removes"))
                    {
                        Error(kw.Column, $"'{text}': expected accepted [replaces {{NAME, ...}}|nothing]");
                        return null;
                    }
                    return PatchList(tokens[2]) is { } affected ? new AcceptedClause(affected) : null;
                case "refused":
                {
                    if (!isStep) break;
                    Errno? errno = null;
                    Reason? reason = null;
                    foreach (var t in tokens.Skip(1))
                    {
                        if (errno is null && reason is null && Errnos.TryParse(t.Text, out var e)) errno = e;
                        else if (reason is null && Reasons.TryParse(t.Text, out var r)) reason = r;
                        else
                        {
                            Error(t.Column, $"'{t.Text}' is not an errno ({string.Join(", ", Errnos.All)}) or a reason ({string.Join(", ", Reasons.All.Skip(1))})");
                            return null;
                        }
                    }
                    return new RefusedClause(errno, reason);
                }
                case "enabled" or "loaded" or "pinned":
                    if (!Arity(2, 2)) return null;
                    if (PatchList(tokens[1]) is not { } list) return null;
                    return kw.Text == "enabled" ? new EnabledClause(list) : new ModulesClause(kw.Text == "pinned", list);
                case "active":
                {
                    if (!Arity(4, 4) || tokens[2].Text != "=")
                    {
                        Error(kw.Column, $"'{text}': expected active FUNCTION = NAME|original");
                        return null;
                    }
                    var f = ParseFunction(tokens[1].Text, tokens[1].Column);
                    if (f is null) return null;
                    if (tokens[3].Text == "original") return new ActiveClause(f.Value, -1);
                    return PatchRef(tokens[3]) is { } p ? new ActiveClause(f.Value, p) : null;
                }
                case "runs":
                {
                    // runs FUNCTION = NAME|original for switched|unswitched|all tasks
                    if (tokens.Count != 7 || tokens[2].Text != "=" || tokens[4].Text != "for" || tokens[6].Text != "tasks"
                        || tokens[5].Text is not ("switched" or "unswitched" or "all"))
                    {
                        Error(kw.Column, $"'{text}': expected runs FUNCTION = NAME|original for switched|unswitched|all tasks");
                        return null;
                    }
                    var f = ParseFunction(tokens[1].Text, tokens[1].Column);
                    if (f is null) return null;
                    var tasks = tokens[5].Text switch { "switched" => RunsTasks.Switched, "unswitched" => RunsTasks.Unswitched, _ => RunsTasks.All };
                    var at = tokens[1].Column - column;
                    if (tokens[3].Text == "original") return new RunsClause(f.Value, FunctionStack.Original, tasks, at);
                    return PatchRef(tokens[3]) is { } rp ? new RunsClause(f.Value, rp, tasks, at) : null;
                }
                case "states":
                    if (!Arity(2, 2)) return null;
                    return ParseStates(tokens[1].Text, tokens[1].Column) is { } states ? new StatesClause(states) : null;
                case "occupies":
                {
                    if (!Arity(3, 3)) return null;
                    var p = PatchRef(tokens[1]);
                    var sets = ParseNumbers(tokens[2].Text, tokens[2].Column, "set number");
                    return p is { } pi && sets is { } s ? new OccupiesClause(pi, s) : null;
                }
                case "transition":
                    if (tokens.Count == 2 && tokens[1].Text == "none") return new TransitionClause(-1, false);
                    if (tokens.Count == 3 && tokens[2].Text is "patched" or "unpatched")
                        return PatchRef(tokens[1]) is { } tp ? new TransitionClause(tp, tokens[2].Text == "patched") : null;
                    Error(kw.Column, $"'{text}': expected transition none | transition NAME patched|unpatched");
                    return null;
                case "stack_order":
                {
                    if (!Arity(4, 4) || tokens[2].Text != "=" || !int.TryParse(tokens[3].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    {
                        Error(kw.Column, $"'{text}': expected stack_order NAME = N");
                        return null;
                    }
                    return PatchRef(tokens[1]) is { } sp ? new StackOrderClause(sp, n) : null;
                }
                default:
                    Error(kw.Column, $"unknown expectation '{kw.Text}': expected accepted, refused, enabled, active, runs, states, occupies, loaded, pinned, transition, stack_order");
                    return null;
            }
            Error(kw.Column, $"'{kw.Text}' needs an operation before it");
            return null;
        }

        private int? PatchRef(Token t)
        {
            if (byName.TryGetValue(t.Text, out var d)) return d.Index;
            Error(t.Column, $"unknown patch '{t.Text}'");
            return null;
        }

        private List<int>? PatchList(Token t)
        {
            if (t.Text == "nothing") return [];
            if (!t.Text.StartsWith('{') || !t.Text.EndsWith('}'))
            {
                Error(t.Column, $"expected a list of patch names in braces, e.g. {{klp-1a, klp-1b}}, not '{t.Text}'");
                return null;
            }
            var result = new List<int>();
            foreach (var (part, at) in SplitTopLevel(t.Text[1..^1], ','))
            {
                var p = PatchRef(new Token(part.Trim(), t.Column + 1 + at));
                if (p is null) return null;
                result.Add(p.Value);
            }
            return result;
        }
    }
}
