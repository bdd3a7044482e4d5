namespace Klp.Check.Model;

/// <summary>A problem in a proposal file at a 1-based line and column.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong.</param>
public readonly record struct ProposalError(int Line, int Column, string Message);

/// <summary>The <c>*.proposal</c> format (docs/proposals.md): one <c>key: value</c> per line, read into a <see cref="Reading"/>.</summary>
/// <remarks>
/// Pure text in, reading out: no file access, so the built-in readings can be parsed from the
/// files embedded in this assembly and every command can parse a user's file the same way.
/// </remarks>
public static class ProposalText
{
    /// <summary>The keys that describe a proposal, in the order a written file lists them.</summary>
    public static IReadOnlyList<string> TextKeys { get; } = ["name", "description", "source", "fields", "parameter"];

    /// <summary>The policy keys with their values, the default first-listed where <see cref="Defaults"/> says so, in file order.</summary>
    public static IReadOnlyList<(string Key, string[] Values)> PolicyKeys { get; } =
    [
        ("replaces", ["flag", "intersect", "subset"]),
        ("occupies", ["none", "own", "listed"]),
        ("zero", ["ordinary", "replaces-all", "only-by-zero"]),
        ("arity", ["one", "list"]),
        ("add-sets", ["no", "yes"]),
        ("states-checked-against", ["replaced", "all"]),
        ("encoding", ["replace-flag", "single", "zero", "array", "dynamic"]),
    ];

    /// <summary>Every key a proposal file may use, in the order a written file lists them.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        [.. TextKeys, .. PolicyKeys.Select(k => k.Key), .. ReadingOptionText.Options.Select(o => o.Name)];

    /// <summary>The reading a proposal file describes when it sets no policy or option: the shape of <c>positional</c>, unnamed.</summary>
    public static Reading Defaults { get; } = new("proposal", ReplaceRule.Intersecting, Membership.OwnSet, ZeroRule.Ordinary, SetArity.List, true, false,
        new ReadingOptions(Isolation.FunctionsAndStates, StateRules.BlockDisable))
    {
        Encoding = PlanEncoding.Array,
        Defaults = new ReadingOptions(Isolation.FunctionsAndStates, StateRules.BlockDisable),
    };

    /// <summary>The value a reading has for a policy key or option, in the words of the file format.</summary>
    public static string Value(Reading r, string key) => key switch
    {
        "name" => r.Name,
        "description" => r.Description,
        "source" => r.Source,
        "fields" => r.Fields,
        "parameter" => r.ParameterName ?? "none",
        "replaces" => PolicyKeys[0].Values[(int)r.Replace],
        "occupies" => PolicyKeys[1].Values[(int)r.Membership],
        "zero" => PolicyKeys[2].Values[(int)r.Zero],
        "arity" => PolicyKeys[3].Values[(int)r.Arity],
        "add-sets" => PolicyKeys[4].Values[r.AddSetsParameter ? 1 : 0],
        "states-checked-against" => PolicyKeys[5].Values[r.StatesCheckedAgainstAll ? 1 : 0],
        "encoding" => PolicyKeys[6].Values[(int)r.Encoding],
        _ => OptionValue(r.Options, key),
    };

    private static string OptionValue(ReadingOptions o, string key)
    {
        foreach (var s in ReadingOptionText.Format(o))
            if (s.StartsWith(key + "=", StringComparison.Ordinal)) return s[(key.Length + 1)..];
        throw new ArgumentException($"unknown proposal key '{key}'", nameof(key));
    }

    /// <summary>True when a name can name a reading: lower-case letters, digits and inner dashes, and not a word reading lists reserve.</summary>
    public static bool IsName(string name)
    {
        if (name.Length == 0 || name[0] == '-' || name[^1] == '-' || name == "all") return false;
        foreach (var ch in name)
            if (!(ch is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')) return false;
        return true;
    }

    /// <summary>Parses a proposal; on failure returns null and the first problem, with its position.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="fallbackName">The name when the file has no <c>name</c> key (the file name without extension).</param>
    /// <param name="error">The first problem, when the text is not a proposal the model can interpret.</param>
    public static Reading? Parse(string text, string fallbackName, out ProposalError? error)
    {
        error = null;
        if (InputText.Check(text) is { } notText)
        {
            error = new(notText.Line, notText.Column, notText.Message);
            return null;
        }
        // Each value as its words: continuation lines add words, and a value is joined once at the end.
        var words = new Dictionary<string, (List<string> Words, int Line, int Column)>(StringComparer.Ordinal);
        string? last = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (line.Length > 0 && line[0] == '#') continue;
            var start = 0;
            while (start < line.Length && line[start] is ' ' or '\t') start++;
            if (start == line.Length) continue;
            if (start > 0)
            {
                // An indented line continues the previous value, so a long source fits 80 columns;
                // it may start with '#', since only a '#' in the first column begins a comment.
                if (last is null)
                {
                    error = new(i + 1, start + 1, "an indented line continues a value, but no key: value line came before it");
                    return null;
                }
                AddWords(words[last].Words, line);
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                error = new(i + 1, 1, $"expected KEY: VALUE, not '{Shorten(line)}'");
                return null;
            }
            var key = line[..colon].TrimEnd();
            if (!Keys.Contains(key))
            {
                error = new(i + 1, 1, $"unknown key '{Shorten(key)}' (known: {string.Join(", ", Keys)})");
                return null;
            }
            if (words.TryGetValue(key, out var first))
            {
                error = new(i + 1, 1, $"duplicate key '{key}' (first on line {first.Line})");
                return null;
            }
            var valueColumn = colon + 1;
            while (valueColumn < line.Length && line[valueColumn] is ' ' or '\t') valueColumn++;
            var value = new List<string>();
            AddWords(value, line[valueColumn..]);
            words[key] = (value, i + 1, valueColumn + 1);
            last = key;
        }
        var values = new Dictionary<string, (string Value, int Line, int Column)>(StringComparer.Ordinal);
        foreach (var (key, (list, line, column)) in words) values[key] = (string.Join(' ', list), line, column);
        if (values.Count == 0)
        {
            error = new(1, 1, "empty proposal: no KEY: VALUE line (docs/proposals.md)");
            return null;
        }
        return Build(values, fallbackName, out error);
    }

    // A value's words: runs of spaces and tabs separate them, so a value reads the same however it is wrapped.
    private static void AddWords(List<string> words, string text) =>
        words.AddRange(text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private static Reading? Build(Dictionary<string, (string Value, int Line, int Column)> values, string fallbackName, out ProposalError? error)
    {
        error = null;
        ProposalError? problem = null;
        int Pick(string key, int fallback)
        {
            if (problem is not null || !values.TryGetValue(key, out var v)) return fallback;
            var words = PolicyKeys.FirstOrDefault(k => k.Key == key).Values;
            var i = Array.IndexOf(words, v.Value);
            if (i < 0) problem = new(v.Line, v.Column, $"{key} takes {string.Join("|", words)}, not '{Shorten(v.Value)}'");
            return i < 0 ? fallback : i;
        }
        string Text(string key, string fallback) => values.TryGetValue(key, out var v) ? v.Value : fallback;
        (int Line, int Column) At(string key) => values.TryGetValue(key, out var v) ? (v.Line, v.Column) : (1, 1);

        var d = Defaults;
        var name = Text("name", fallbackName);
        if (!IsName(name))
        {
            var (line, column) = At("name");
            error = new(line, column, $"name '{Shorten(name)}' must be lower-case letters, digits and dashes (not 'all')");
            return null;
        }
        var replace = (ReplaceRule)Pick("replaces", (int)d.Replace);
        var membership = (Membership)Pick("occupies", (int)d.Membership);
        var zero = (ZeroRule)Pick("zero", (int)d.Zero);
        var arity = (SetArity)Pick("arity", (int)d.Arity);
        var addSets = Pick("add-sets", d.AddSetsParameter ? 1 : 0) == 1;
        var checkedAll = Pick("states-checked-against", d.StatesCheckedAgainstAll ? 1 : 0) == 1;
        var encoding = (PlanEncoding)Pick("encoding", (int)d.Encoding);
        var options = d.Options;
        foreach (var (option, _) in ReadingOptionText.Options)
        {
            if (problem is not null || !values.TryGetValue(option, out var v)) continue;
            if (!ReadingOptionText.TryApply(ref options, $"{option}={v.Value}", out var message)) problem = new(v.Line, v.Column, message!);
        }
        if (problem is not null)
        {
            error = problem;
            return null;
        }
        var parameter = Text("parameter", "none");
        if (parameter.Length == 0 || parameter.Any(char.IsWhiteSpace))
        {
            var (line, column) = At("parameter");
            error = new(line, column, "parameter takes the load parameter's name (one word) or none");
            return null;
        }

        // Combinations the model cannot interpret, reported at the key that breaks them.
        string? conflict = null;
        var culprit = "replaces";
        if ((replace == ReplaceRule.ByReplaceFlag) != (membership == Membership.None))
            (conflict, culprit) = ("replaces: flag goes with occupies: none (upstream's bool replace has no sets), and only with it", values.ContainsKey("occupies") ? "occupies" : "replaces");
        else if ((replace == ReplaceRule.ByReplaceFlag) != (encoding == PlanEncoding.ReplaceFlag))
            (conflict, culprit) = ("encoding: replace-flag goes with replaces: flag, and only with it", values.ContainsKey("encoding") ? "encoding" : "replaces");
        else if (membership == Membership.None && zero != ZeroRule.Ordinary)
            (conflict, culprit) = ("zero needs sets: with occupies: none it can only be ordinary", "zero");
        else if (membership == Membership.None && arity != SetArity.Single)
            (conflict, culprit) = ("arity needs sets: with occupies: none it can only be one", values.ContainsKey("arity") ? "arity" : "occupies");
        else if (!addSets && parameter != "none")
            (conflict, culprit) = ("parameter names a load parameter, but add-sets: no says there is none", "parameter");
        else if (options.PartialOverlap != PartialOverlap.Refuse && replace != ReplaceRule.Subset)
            (conflict, culprit) = ("partial-overlap applies only with replaces: subset", "partial-overlap");
        if (conflict is not null)
        {
            var (line, column) = At(culprit);
            error = new(line, column, conflict);
            return null;
        }

        return new Reading(name, replace, membership, zero, arity, addSets, checkedAll, options)
        {
            Description = Text("description", ""),
            Source = Text("source", ""),
            Fields = Text("fields", ""),
            ParameterName = parameter == "none" ? null : parameter,
            Encoding = encoding,
            Defaults = options,
        };
    }
}
