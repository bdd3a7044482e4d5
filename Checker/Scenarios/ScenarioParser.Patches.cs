using System.Collections.Immutable;
using System.Globalization;
using Klp.Check.Inputs;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
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

    private sealed partial class Parser
    {
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
            if (!Patch.IsName(name.Text))
            {
                Error(name.Column, $"'{name.Text}' is not a patch name ({Patch.NameRule})");
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

        private ImmutableArray<FunctionId>? ParseFuncs(string value, int column) =>
            ParseBraced(value, column, "funcs takes a list in braces, e.g. funcs={cmdline_proc_show, mod:fn@2}", ParseFunction);

        // {ITEM, ...}: each item parsed where it stands; the first bad one ends the list.
        private ImmutableArray<T>? ParseBraced<T>(string value, int column, string usage, Func<string, int, T?> item) where T : struct
        {
            if (!value.StartsWith('{') || !value.EndsWith('}'))
            {
                Error(column, $"{usage}, not '{value}'");
                return null;
            }
            var result = ImmutableArray.CreateBuilder<T>();
            foreach (var (part, at) in SplitTopLevel(value[1..^1], ','))
            {
                if (item(part.Trim(), column + 1 + at) is not { } x) return null;
                result.Add(x);
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

        private ImmutableArray<KlpState>? ParseStates(string value, int column) =>
            ParseBraced(value, column, "states takes a list in braces, e.g. states={1:v2, 3:v0:block_disable}", ParseState);

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
    }
}
