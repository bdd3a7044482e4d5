using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Klp.Check.Model;
using Klp.Check.Proposals;

namespace Klp.Check.Scenarios;

/// <summary>Parses scenario files (docs/scenarios.md); never throws anything but <see cref="ScenarioException"/>.</summary>
public static partial class ScenarioParser
{
    /// <summary>Reads and parses a file.</summary>
    /// <exception cref="ScenarioException">The file cannot be read or is malformed.</exception>
    public static Scenario ParseFile(string path) => Parse(ReadSource(path), path);

    /// <summary>The text of an input file; an unreadable file is a diagnostic at its first line.</summary>
    /// <exception cref="ScenarioException">The file cannot be read.</exception>
    public static string ReadSource(string path)
    {
        if (path.Length == 0) throw new ScenarioException([new Diagnostic(path, 1, 1, "empty file name")]);
        if (Directory.Exists(path)) throw new ScenarioException([new Diagnostic(path, 1, 1, "is a directory")]);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioException([new Diagnostic(path, 1, 1, $"cannot read file: {e.Message}")]);
        }
    }

    /// <summary>Parses scenario text; <paramref name="path"/> names it in diagnostics.</summary>
    /// <exception cref="ScenarioException">The text is malformed.</exception>
    public static Scenario Parse(string text, string path)
    {
        var parser = new Parser(path);
        try
        {
            return parser.Run(text);
        }
        catch (ScenarioException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A parser bug must still come out as a diagnostic, never as a stack trace.
            throw new ScenarioException([.. parser.Diagnostics, new Diagnostic(path, parser.CurrentLine, 1, $"internal error while parsing: {e.Message}")]);
        }
    }

    /// <summary>How many diagnostics a file reports before the parser stops reading it.</summary>
    public const int MaxDiagnostics = 20;

    /// <summary>What a patch name (and a plan label) may hold, in words.</summary>
    public const string NameRule = "ASCII letters, digits, _ - . +";

    /// <summary>Whether a text is a patch name: <see cref="NameRule"/>, so that every name written into a scenario reads back.</summary>
    public static bool IsName(string name) => name.Length > 0 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or '+');

    /// <summary>The function a patch or release patches of its own when none is given: its name with every character but ASCII letters and digits as <c>_</c>, then <c>_fn</c> (<c>klp-1a</c> patches <c>klp_1a_fn</c>).</summary>
    public static string OwnFunction(string name) => new string([.. name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_')]) + "_fn";

    [GeneratedRegex(@"^(?:(?<day>[^:]+?)\s*:\s*)?(?<name>[A-Za-z0-9_.+-]+)\s*:\s*(?<kind>cumulative|hotfix|customer)(?:\s+v(?<ver>\d+))?\s*\(\s*(?<field>replace_sets|replace_set|sets)\s*=\s*(?<sets>\{[^}]*\}|auto(?:\([^)]*\))?|\d+)\s*\)\s*$")]
    private static partial Regex TimelineLine();

    private static readonly string[] addSetsNames =
        ["add_sets", "add_replace_sets", "supplement_replace_sets", "override_replace_sets", "add_merge_slots", "also_obsoletes"];

    private sealed class Draft
    {
        public required string Name;
        public required int Line, Column, Index;
        public Origin? Origin;
        public PatchKind? Kind;
        public int? Release;
        public bool? Replace;
        public ImmutableArray<uint>? Sets;
        public SetSource SetSource;
        public string? AutoOf;
        public ImmutableArray<FunctionId>? Funcs;
        public ImmutableArray<KlpState>? States;
        public Draft? UpdateOf;
        public bool LoadedByTimeline;
        public ImmutableArray<FunctionId>? Resolved;
    }

    private readonly record struct Token(string Text, int Column);

    private sealed class Parser(string path)
    {
        public readonly List<Diagnostic> Diagnostics = [];
        public int CurrentLine;
        private readonly List<Draft> drafts = [];
        private readonly Dictionary<string, Draft> byName = new(StringComparer.Ordinal);
        private readonly List<ImmutableArray<uint>> addSets = [];
        private readonly List<(int Line, Operation? Op, string Text, string? Note, List<Expectation> Expectations)> steps = [(0, null, "", null, [])];
        private readonly List<string> options = [];
        private readonly List<Reading> named = [];
        private readonly Dictionary<string, List<Reading>> groups = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Reading> proposals = new(StringComparer.Ordinal);
        private List<Reading>? expectationReadings;
        private Granularity? mode;
        private string? title;
        private bool lastWasQuotedTimelineWithNote;
        private bool sawReadingReference;

        private void Error(int column, string message) => Diagnostics.Add(new Diagnostic(path, CurrentLine, Math.Max(1, column), message));

        public Scenario Run(string text)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                CurrentLine = i + 1;
                var line = lines[i].TrimEnd('\r');
                ParseLine(line);
                if (Diagnostics.Count >= MaxDiagnostics) break;
            }
            CurrentLine = lines.Length;
            var catalog = Finish();
            if (catalog is not null) CheckFunctions(catalog);
            if (Diagnostics.Count > 0 || catalog is null) throw new ScenarioException(Diagnostics);
            return new Scenario(
                path,
                title ?? System.IO.Path.GetFileNameWithoutExtension(path),
                catalog,
                [.. steps.Select(s => new ScenarioStep(s.Line, s.Op, s.Text, s.Note, s.Expectations))],
                expectationReadings,
                named,
                options,
                mode);
        }

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

        private void ParseLine(string line)
        {
            // Quote prefixes of a pasted email: "> >   Wed: ...".
            var pos = 0;
            var quoted = false;
            while (true)
            {
                while (pos < line.Length && (line[pos] == ' ' || line[pos] == '\t')) pos++;
                if (pos < line.Length && line[pos] == '>')
                {
                    quoted = true;
                    pos++;
                    continue;
                }
                break;
            }
            var rest = line[pos..];
            if (rest.Length == 0 || rest[0] == '#') return;
            string? note = null;
            var arrow = rest.IndexOf("<-", StringComparison.Ordinal);
            if (arrow >= 0)
            {
                note = rest[(arrow + 2)..].Trim();
                rest = rest[..arrow];
            }
            var body = rest.TrimEnd();
            var column = pos + 1;
            if (body.Trim().Length == 0)
            {
                if (note is not null) Error(column, "a '<-' note needs an operation before it on the same line");
                return;
            }

            var first = FirstWord(body);
            var continuation = lastWasQuotedTimelineWithNote;
            lastWasQuotedTimelineWithNote = false;
            switch (first)
            {
                case "title": title = body[5..].Trim(); return;
                case "readings": Directive_Readings(body, column); return;
                case "group": Directive_Group(body, column); return;
                case "mode": Directive_Mode(body, column); return;
                case "option": Directive_Option(body, column); return;
                case "patch":
                    if (Tokenize(body, column) is { } declaration) Declare(declaration, column);
                    return;
                case "expect": Expect(body, column); return;
                case "load" or "insmod" or "disable" or "unload" or "rmmod" or "complete" or "reverse" or "force":
                    if (Tokenize(body, column) is { } operation) Operation(operation, body.Trim(), note);
                    return;
            }
            var m = TimelineLine().Match(body.Trim());
            if (m.Success)
            {
                Timeline(m, column + (body.Length - body.TrimStart().Length), body.Trim(), note);
                lastWasQuotedTimelineWithNote = quoted && note is not null;
                return;
            }
            if (continuation && quoted && note is null && steps[^1].Note is not null)
            {
                // A note wrapped by the mailer onto the next quoted line.
                var s = steps[^1];
                steps[^1] = s with { Note = s.Note + " " + body.Trim() };
                lastWasQuotedTimelineWithNote = true;
                return;
            }
            Error(column, first.Length == 0
                ? "expected a statement"
                : $"unknown statement '{first}': expected a timeline line (Day: name: kind (replace_sets={{..}})) or one of title, readings, group, mode, option, patch, load, disable, unload, complete, reverse, force, expect");
        }

        private static string FirstWord(string body)
        {
            var t = body.TrimStart();
            var end = 0;
            while (end < t.Length && !char.IsWhiteSpace(t[end])) end++;
            return t[..end];
        }

        // Splits on whitespace at depth 0; {...} and (...) groups stay whole.
        private List<Token>? Tokenize(string body, int column)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < body.Length)
            {
                while (i < body.Length && char.IsWhiteSpace(body[i])) i++;
                if (i >= body.Length) break;
                var start = i;
                var depth = 0;
                while (i < body.Length && (depth > 0 || !char.IsWhiteSpace(body[i])))
                {
                    if (body[i] is '{' or '(') depth++;
                    else if (body[i] is '}' or ')') depth = Math.Max(0, depth - 1);
                    i++;
                }
                if (depth > 0)
                {
                    Error(column + start, $"unclosed bracket in '{body[start..i].Trim()}'");
                    return null;
                }
                tokens.Add(new Token(body[start..i].Trim(), column + start));
            }
            return tokens;
        }

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

        private static readonly string[] clauseWords =
            ["accepted", "refused", "enabled", "active", "states", "occupies", "loaded", "pinned", "transition", "stack_order"];

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
                catch (ScenarioException e)
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

        private static List<(string Part, int Offset)> SplitTopLevel(string text, char separator)
        {
            var parts = new List<(string, int)>();
            var depth = 0;
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length)
                {
                    var ch = text[i];
                    if (ch is '{' or '(') depth++;
                    else if (ch is '}' or ')') depth = Math.Max(0, depth - 1);
                    if (ch != separator || depth > 0) continue;
                }
                var part = text[start..i];
                if (part.Trim().Length > 0) parts.Add((part, start + (part.Length - part.TrimStart().Length)));
                start = i + 1;
            }
            return parts;
        }

        private Draft NewDraft(string name, int column)
        {
            var d = new Draft { Name = name, Line = CurrentLine, Column = column, Index = drafts.Count };
            drafts.Add(d);
            byName[name] = d;
            return d;
        }

        private void Declare(List<Token> tokens, int column)
        {
            if (tokens.Count < 2)
            {
                Error(column, "patch needs a name: patch NAME [vendor|customer] [cumulative|hotfix] [replace] [sets={..}] [funcs={..}] [states={..}] [release=N] [update=NAME]");
                return;
            }
            var name = tokens[1];
            if (!IsName(name.Text))
            {
                Error(name.Column, $"'{name.Text}' is not a patch name ({NameRule})");
                return;
            }
            if (byName.ContainsKey(name.Text))
            {
                Error(name.Column, $"patch '{name.Text}' is already declared at line {byName[name.Text].Line}");
                return;
            }
            if (drafts.Count >= Catalog.MaxPatches)
            {
                Error(name.Column, $"a scenario declares at most {Catalog.MaxPatches} patches");
                return;
            }
            var d = NewDraft(name.Text, name.Column);
            foreach (var t in tokens.Skip(2)) Attribute(d, t);
        }

        private void Attribute(Draft d, Token t)
        {
            var eq = t.Text.IndexOf('=');
            var key = eq < 0 ? t.Text : t.Text[..eq];
            var value = eq < 0 ? null : t.Text[(eq + 1)..];
            var vcol = t.Column + eq + 1;
            switch (key)
            {
                case "vendor" when value is null: d.Origin = Origin.Vendor; return;
                case "customer" when value is null: d.Origin = Origin.Customer; return;
                case "cumulative" when value is null: d.Kind = PatchKind.Cumulative; return;
                case "hotfix" when value is null: d.Kind = PatchKind.Hotfix; return;
                case "replace" when value is null: d.Replace = true; return;
                case "replace" when value is "true" or "false" or "1" or "0": d.Replace = value is "true" or "1"; return;
                case "release" when value is not null:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rel)) d.Release = rel;
                    else Error(vcol, $"release takes a non-negative integer, not '{value}'");
                    return;
                case "sets" or "replace_sets" or "replace_set" when value is not null:
                    SetSpec(d, value, vcol);
                    return;
                case "funcs" when value is not null:
                    d.Funcs = ParseFuncs(value, vcol);
                    return;
                case "states" when value is not null:
                    d.States = ParseStates(value, vcol);
                    return;
                case "update" when value is not null:
                    if (byName.TryGetValue(value, out var h) && h != d) d.UpdateOf = h;
                    else Error(vcol, $"update names unknown patch '{value}'");
                    return;
            }
            Error(t.Column, $"unknown patch attribute '{t.Text}': expected vendor, customer, cumulative, hotfix, replace[=true|false], release=N, sets={{..}}|auto|auto(NAME), funcs={{..}}, states={{..}}, update=NAME");
        }

        private void SetSpec(Draft d, string value, int column)
        {
            if (value == "auto")
            {
                d.SetSource = SetSource.Auto;
                d.Sets = null;
                return;
            }
            if (value.StartsWith("auto(", StringComparison.Ordinal) && value.EndsWith(')'))
            {
                var h = value[5..^1].Trim();
                if (!byName.ContainsKey(h)) Error(column + 5, $"auto() names unknown patch '{h}'");
                d.SetSource = SetSource.AutoOf;
                d.AutoOf = h;
                return;
            }
            var sets = ParseNumbers(value, column, "set number");
            if (sets is { Length: 0 }) Error(column, "a sets list is never empty");
            else if (sets is not null)
            {
                d.Sets = sets;
                d.SetSource = SetSource.Fixed;
            }
        }

        private ImmutableArray<uint>? ParseNumbers(string value, int column, string what)
        {
            var inner = value;
            var offset = 0;
            if (inner.StartsWith('{'))
            {
                if (!inner.EndsWith('}'))
                {
                    Error(column, $"'{value}' lacks a closing '}}'");
                    return null;
                }
                inner = inner[1..^1];
                offset = 1;
            }
            var result = ImmutableArray.CreateBuilder<uint>();
            foreach (var (part, at) in SplitTopLevel(inner, ','))
            {
                if (uint.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) result.Add(n);
                else
                {
                    Error(column + offset + at, $"'{part.Trim()}' is not a {what} (a whole number from 0 to {uint.MaxValue})");
                    return null;
                }
            }
            return result.ToImmutable();
        }

        private ImmutableArray<FunctionId>? ParseFuncs(string value, int column)
        {
            if (!value.StartsWith('{') || !value.EndsWith('}'))
            {
                Error(column, $"funcs takes a list in braces, e.g. funcs={{cmdline_proc_show, mod:fn@2}}, not '{value}'");
                return null;
            }
            var result = ImmutableArray.CreateBuilder<FunctionId>();
            foreach (var (part, at) in SplitTopLevel(value[1..^1], ','))
            {
                var f = ParseFunction(part.Trim(), column + 1 + at);
                if (f is null) return null;
                if (!result.Contains(f.Value)) result.Add(f.Value);
            }
            return result.ToImmutable();
        }

        private FunctionId? ParseFunction(string text, int column)
        {
            var obj = FunctionId.Vmlinux;
            var name = text;
            var sympos = 0;
            var colon = name.IndexOf(':');
            if (colon >= 0)
            {
                obj = name[..colon];
                name = name[(colon + 1)..];
            }
            var at = name.IndexOf('@');
            if (at >= 0)
            {
                if (!int.TryParse(name[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out sympos))
                {
                    Error(column, $"'{text}': sympos after '@' must be a non-negative integer");
                    return null;
                }
                name = name[..at];
            }
            static bool Ident(string s) => s.Length > 0 && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '$' or '-');
            if (!Ident(obj) || !Ident(name))
            {
                Error(column, $"'{text}' is not a function: expected [object:]name[@sympos]");
                return null;
            }
            return new FunctionId(obj, name, sympos);
        }

        private ImmutableArray<KlpState>? ParseStates(string value, int column)
        {
            if (!value.StartsWith('{') || !value.EndsWith('}'))
            {
                Error(column, $"states takes a list in braces, e.g. states={{1:v2, 3:v0:block_disable}}, not '{value}'");
                return null;
            }
            var result = ImmutableArray.CreateBuilder<KlpState>();
            foreach (var (part, at) in SplitTopLevel(value[1..^1], ','))
            {
                var s = ParseState(part.Trim(), column + 1 + at);
                if (s is null) return null;
                result.Add(s.Value);
            }
            return result.ToImmutable();
        }

        private KlpState? ParseState(string text, int column)
        {
            var fields = text.Split(':');
            if (!uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
            {
                Error(column, $"'{text}' is not a state: expected ID[:vVERSION][:block_disable] with ID > 0");
                return null;
            }
            uint version = 0;
            var block = false;
            foreach (var f in fields.Skip(1))
            {
                if (f == "block_disable") block = true;
                else if (uint.TryParse(f.StartsWith('v') ? f[1..] : f, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) version = v;
                else
                {
                    Error(column, $"'{text}' is not a state: expected ID[:vVERSION][:block_disable]");
                    return null;
                }
            }
            return new KlpState(id, version, block);
        }

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

        private static int TopLevelIndexOf(string text, char ch)
        {
            var depth = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] is '{' or '(') depth++;
                else if (text[i] is '}' or ')') depth = Math.Max(0, depth - 1);
                else if (text[i] == ch && depth == 0) return i;
            }
            return -1;
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

        private Catalog? Finish()
        {
            var releases = new Dictionary<Origin, int>();
            foreach (var d in drafts)
            {
                var origin = d.Origin ?? Origin.Vendor;
                releases.TryGetValue(origin, out var next);
                d.Release ??= next;
                releases[origin] = Math.Max(next, d.Release.Value) + 1;
            }
            var patches = new List<Patch>();
            foreach (var d in drafts)
            {
                CurrentLine = d.Line;
                var funcs = FuncsOf(d, []);
                if (funcs is null) continue;
                var origin = d.Origin ?? Origin.Vendor;
                var kind = d.Kind ?? PatchKind.Hotfix;
                var sets = d.SetSource == SetSource.Fixed ? d.Sets ?? Patch.DefaultSets : [];
                if (d.SetSource == SetSource.Fixed && d.UpdateOf is { } h && d.Sets is null) sets = h.Sets ?? Patch.DefaultSets;
                patches.Add(new Patch(d.Name, origin, kind, d.Release!.Value, funcs.Value, d.States ?? [],
                    d.Replace ?? (kind == PatchKind.Cumulative && origin == Origin.Vendor), sets, d.SetSource, d.AutoOf, d.UpdateOf?.Name));
            }
            if (Diagnostics.Count > 0) return null;
            Catalog catalog;
            try
            {
                catalog = new Catalog(patches, addSets);
            }
            catch (CatalogException e)
            {
                if (e.Patch >= 0) CurrentLine = drafts[e.Patch].Line;
                Error(e.Patch >= 0 ? drafts[e.Patch].Column : 1, e.Message);
                return null;
            }
            // A function no patch patches is always original: the expectation is a typo, as an unknown patch name is.
            foreach (var step in steps)
                foreach (var e in step.Expectations)
                {
                    if (e.Clause is not ActiveClause a || catalog.IndexOfFunction(a.Function) >= 0) continue;
                    CurrentLine = e.Line;
                    var after = e.Text["active".Length..];
                    Error(e.Column + e.Text.Length - after.TrimStart().Length, $"no patch patches function '{a.Function}'");
                }
            return Diagnostics.Count > 0 ? null : catalog;
        }

        // Default functions: one of its own; a vendor cumulative rolls up every earlier vendor
        // release; an update patches the functions of the hotfix it updates.
        private ImmutableArray<FunctionId>? FuncsOf(Draft d, HashSet<Draft> visiting)
        {
            if (d.Resolved is { } done) return done;
            if (d.Funcs is { } given) return d.Resolved = given;
            if (!visiting.Add(d))
            {
                Error(d.Column, $"patch '{d.Name}' takes its functions from itself through update=");
                return null;
            }
            ImmutableArray<FunctionId>? result;
            if (d.UpdateOf is { } h) result = FuncsOf(h, visiting);
            else
            {
                var own = new FunctionId(FunctionId.Vmlinux, OwnFunction(d.Name), 0);
                var list = new List<FunctionId>();
                if ((d.Origin ?? Origin.Vendor) == Origin.Vendor && d.Kind == PatchKind.Cumulative)
                {
                    foreach (var e in drafts)
                    {
                        if (e == d || (e.Origin ?? Origin.Vendor) != Origin.Vendor || e.Release >= d.Release) continue;
                        var ef = FuncsOf(e, visiting);
                        if (ef is null) return null;
                        foreach (var f in ef.Value)
                            if (!list.Contains(f)) list.Add(f);
                    }
                }
                if (!list.Contains(own)) list.Insert(0, own);
                result = [.. list];
            }
            visiting.Remove(d);
            d.Resolved = result;
            return result;
        }
    }
}
