using System.Collections.Immutable;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

/// <summary>Parses scenario files (docs/scenarios.md); never throws anything but <see cref="InputException"/>.</summary>
public static partial class ScenarioParser
{
    /// <summary>Reads and parses a file.</summary>
    /// <exception cref="InputException">The file cannot be read or is malformed.</exception>
    public static Scenario ParseFile(string path) => Parse(InputFile.Read(path), path);

    /// <summary>Parses scenario text; <paramref name="path"/> names it in diagnostics.</summary>
    /// <exception cref="InputException">The text is malformed.</exception>
    public static Scenario Parse(string text, string path)
    {
        var parser = new Parser(path);
        try
        {
            return parser.Run(text);
        }
        catch (InputException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A parser bug must still come out as a diagnostic, never as a stack trace.
            throw new InputException([.. parser.Diagnostics, new Diagnostic(path, parser.CurrentLine, 1, $"internal error while parsing: {e.Message}")]);
        }
    }


    private sealed partial class Parser(string path)
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
        // The lines a mailer wrapped a step's note onto, by step, joined once at the end so that a long note costs linear time.
        private readonly Dictionary<int, List<string>> wrappedNotes = [];
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
                if (Diagnostics.Count >= Diagnostic.MaxPerFile) break;
            }
            CurrentLine = lines.Length;
            var catalog = Finish();
            if (catalog is not null) CheckFunctions(catalog);
            if (Diagnostics.Count > 0 || catalog is null) throw new InputException(Diagnostics);
            return new Scenario(
                path,
                title ?? System.IO.Path.GetFileNameWithoutExtension(path),
                catalog,
                [.. steps.Select((s, k) => new ScenarioStep(s.Line, s.Op, s.Text, Note(k, s.Note), s.Expectations))],
                expectationReadings,
                named,
                options,
                mode);
        }

        private string? Note(int step, string? note) =>
            wrappedNotes.TryGetValue(step, out var parts) ? string.Join(' ', [note, .. parts]) : note;

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
                if (!wrappedNotes.TryGetValue(steps.Count - 1, out var parts)) wrappedNotes[steps.Count - 1] = parts = [];
                parts.Add(body.Trim());
                lastWasQuotedTimelineWithNote = true;
                return;
            }
            Error(column, first.Length == 0
                ? "expected a statement"
                : $"unknown statement '{first}': expected a timeline line (Day: name: kind (replace_sets={{..}})) or one of title, readings, group, mode, option, patch, load, disable, unload, complete, reverse, force, expect");
        }
    }
}
