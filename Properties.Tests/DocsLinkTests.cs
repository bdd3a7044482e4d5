using System.Text.RegularExpressions;
using System.Text;
using Klp.Check.Conformance;

namespace Klp.Check.Tests;

/// <summary>Finds links and paths in the repository's documentation that do not resolve inside it.</summary>
/// <remarks>
/// Checked: markdown links <c>[text](target)</c> (with their <c>#anchor</c> when the target is a
/// markdown file), tokens that look like repository paths (they start with a top-level folder
/// of the repository, such as <c>docs/</c> or <c>scenarios/</c>, or name a <c>.md</c> or
/// <c>.klp</c> file), references to a numbered section of <c>docs/semantics.md</c>, and any
/// mention of the material that lives outside the repository (<c>../shared</c>, the spec file,
/// <c>reference/</c>). URLs are never paths; in markdown only code spans and code blocks are
/// read for paths, in scenario files only comments, in proposal files every line; build output (<c>bin/</c>, <c>obj/</c>) is
/// not a path of the repository.
/// </remarks>
public sealed partial class DocLinks(string root)
{
    private const string Semantics = "docs/semantics.md";

    // The spec and the reference folder that lived outside the repository.
    private static readonly string[] outside = ["../shared", "SEMANTICS.md"];

    private readonly string[] topLevel = Directory.GetDirectories(root)
        .Select(Path.GetFileName)
        .Where(n => n is not null && (n == ".ci" || !n.StartsWith('.')) && n is not ("bin" or "obj" or "out" or "TestResults" or "BenchmarkDotNet.Artifacts"))
        .Select(n => n!)
        .ToArray();

    private readonly Dictionary<string, HashSet<string>> anchors = new(StringComparer.Ordinal);

    /// <summary>README.md, every markdown file under docs/, every scenario file and every proposal file, relative to the root.</summary>
    public IEnumerable<string> Files()
    {
        IEnumerable<string> Under(string dir, string pattern) =>
            Directory.Exists(Path.Combine(root, dir))
                ? Directory.EnumerateFiles(Path.Combine(root, dir), pattern, SearchOption.AllDirectories)
                : [];
        return new[] { Path.Combine(root, "README.md") }
            .Concat(Under("docs", "*.md"))
            .Concat(Under("scenarios", "*.klp"))
            .Concat(Under("proposals", "*.proposal"))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Every C# source file of the repository outside build output, relative to the root.</summary>
    public IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    /// <summary>The lines of a source file that mention material outside the repository, each as <c>FILE:LINE: message</c>.</summary>
    public List<string> CheckSource(string file, string text)
    {
        var problems = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            foreach (var message in Outside(lines[i]))
                problems.Add($"{file}:{i + 1}: {message}");
        return problems;
    }

    private static IEnumerable<string> Outside(string line)
    {
        foreach (var needle in outside)
            if (line.Contains(needle, StringComparison.Ordinal))
                yield return $"refers to '{needle}', which is outside the repository";
        foreach (var token in Tokens(line))
            if (!token.Contains("://", StringComparison.Ordinal) && Regex.IsMatch(token, @"(^|[^A-Za-z0-9_.-])reference/"))
                yield return $"refers to '{token}', which is outside the repository";
    }

    /// <summary>The problems in one file's text, each as <c>FILE:LINE: message</c>.</summary>
    public List<string> Check(string file, string text)
    {
        var problems = new List<string>();
        var markdown = file.EndsWith(".md", StringComparison.Ordinal);
        var fenced = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            void Report(string message) => problems.Add($"{file}:{i + 1}: {message}");

            foreach (var message in Outside(line)) Report(message);

            string? scope;
            if (markdown)
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) scope = line;
                else
                {
                    foreach (Match link in MarkdownLink().Matches(CodeSpan().Replace(line, "")))
                        if (CheckLink(file, link.Groups[1].Value) is { } error) Report(error);
                    scope = string.Join(" ", CodeSpan().Matches(line).Select(m => m.Groups[1].Value));
                }
            }
            else if (file.EndsWith(".klp", StringComparison.Ordinal))
            {
                var body = line.TrimStart(' ', '\t', '>');
                scope = body.StartsWith('#') ? body[1..] : null;
            }
            else scope = line;
            if (scope is null) continue;
            foreach (var token in Tokens(scope))
                if (CheckPath(file, token) is { } error) Report(error);
            foreach (Match m in SectionReference().Matches(scope))
                foreach (Capture c in m.Groups["n"].Captures)
                    if (!SemanticsHasSection(c.Value)) Report($"{Semantics} has no section {c.Value}");
        }
        return problems;
    }

    /// <summary>True when docs/semantics.md has a heading numbered <paramref name="number"/> (e.g. <c>4.6</c>).</summary>
    public bool SemanticsHasSection(string number)
    {
        var path = Path.Combine(root, Semantics);
        if (!File.Exists(path)) return false;
        var prefix = number.Contains('.') ? number + " " : number + ". ";
        return Headings(File.ReadAllLines(path)).Any(h => h.StartsWith(prefix, StringComparison.Ordinal));
    }

    private static IEnumerable<string> Tokens(string text) =>
        text.Split([' ', '\t', '`', '(', ')', '[', ']', '{', '}', '"', '\'', '<', '>', '|', '='], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.TrimEnd('.', ',', ';', ':', '!', '?'))
            .Where(t => t.Length > 0);

    private string? CheckPath(string file, string token)
    {
        if (token.Contains("://", StringComparison.Ordinal) || token.StartsWith('-')) return null;
        // Build output (Checker/bin/Release/...) exists only after a build.
        if (token.Split('/').Any(part => part is "bin" or "obj")) return null;
        var slash = token.IndexOf('/');
        if (slash > 0 && topLevel.Contains(token[..slash]))
            return ExistsUnder(root, token) ? null : $"'{token}' does not exist in the repository";
        if (slash < 0 && Regex.IsMatch(token, @"^[A-Za-z0-9_.-]+\.(md|klp)$"))
        {
            var dir = Path.GetDirectoryName(Path.Combine(root, file))!;
            return ExistsUnder(dir, token) || ExistsUnder(root, token) || ExistsUnder(Path.Combine(root, "docs"), token)
                ? null
                : $"'{token}' names no file of the repository";
        }
        return null;
    }

    private string? CheckLink(string file, string target)
    {
        if (Regex.IsMatch(target, "^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)) return null;
        var hash = target.IndexOf('#');
        var path = hash < 0 ? target : target[..hash];
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        var full = path.Length == 0
            ? Path.Combine(root, file)
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.Combine(root, file))!, Uri.UnescapeDataString(path)));
        if (!Inside(full)) return $"link '{target}' leaves the repository";
        if (!File.Exists(full) && !Directory.Exists(full)) return $"link '{target}' does not resolve";
        if (anchor is null || !full.EndsWith(".md", StringComparison.Ordinal)) return null;
        return AnchorsOf(full).Contains(anchor) ? null : $"link '{target}': no heading has the anchor '#{anchor}'";
    }

    private bool ExistsUnder(string dir, string relative)
    {
        var star = relative.IndexOfAny(['*', '?']);
        if (star >= 0)
        {
            var cut = relative.LastIndexOf('/', star);
            relative = cut < 0 ? "" : relative[..cut];
        }
        var full = Path.GetFullPath(Path.Combine(dir, relative));
        return Inside(full) && (File.Exists(full) || Directory.Exists(full));
    }

    private bool Inside(string full)
    {
        var r = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        return full == r || full.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private HashSet<string> AnchorsOf(string full)
    {
        if (anchors.TryGetValue(full, out var known)) return known;
        var set = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var heading in Headings(File.ReadAllLines(full)))
        {
            var slug = Slug(heading);
            var n = seen.GetValueOrDefault(slug);
            set.Add(n == 0 ? slug : $"{slug}-{n}");
            seen[slug] = n + 1;
        }
        anchors[full] = set;
        return set;
    }

    // The text of every ATX heading outside code blocks.
    private static IEnumerable<string> Headings(IEnumerable<string> lines)
    {
        var fenced = false;
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            else if (!fenced && HeadingLine().Match(line) is { Success: true } m) yield return m.Groups[1].Value.Trim();
        }
    }

    /// <summary>The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (var ch in heading.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(ch) || ch is '-' or '_') sb.Append(ch);
            else if (ch == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*$")]
    private static partial Regex HeadingLine();

    // "docs/semantics.md section 4.6", "semantics.md sections 9.2 and 3.1", "sections 4.5-4.10".
    [GeneratedRegex(@"semantics\.md,?\s+sections?\s+(?<n>\d+(?:\.\d+)?)(?:(?:,\s*|\s+and\s+|-)(?<n>\d+(?:\.\d+)?))*")]
    private static partial Regex SectionReference();
}

/// <summary>The documentation, the README and the scenario comments make sense in a clone, without anything outside it.</summary>
public class DocsLinkTests
{
    private static readonly DocLinks links = new(RepositoryFiles.Root);

    [Fact]
    public void RepositoryDocs_EveryLinkAndPath_ResolvesInsideTheRepository()
    {
        var problems = links.Files()
            .SelectMany(f => links.Check(f, File.ReadAllText(RepositoryFiles.Full(f))))
            .ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void SourceFiles_Comments_CiteNothingOutsideTheRepository()
    {
        // This file names the forbidden references in its test data.
        var problems = links.SourceFiles()
            .Where(f => f != "Properties.Tests/DocsLinkTests.cs")
            .SelectMany(f => links.CheckSource(f, File.ReadAllText(RepositoryFiles.Full(f))))
            .ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void CheckSource_SpecReference_IsReported()
    {
        var problems = links.CheckSource("Model/X.cs", "/// <summary>As in ../shared/spec/SEMANTICS.md section 4 and reference/upstream.md.</summary>");

        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void RepositoryDocs_Files_IncludeReadmeDocsAndScenarios()
    {
        var files = links.Files().ToList();

        Assert.Contains("README.md", files);
        Assert.Contains("docs/semantics.md", files);
        Assert.Contains(files, f => f.StartsWith("scenarios/kernel/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("scenarios/thread/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("docs/x.md", "See [bounds](bounds.md#nosuch-heading).", "no heading has the anchor")]
    [InlineData("docs/x.md", "See [spec](../shared/spec/x.md).", "outside the repository")]
    [InlineData("docs/x.md", "See [gone](nosuch.md).", "does not resolve")]
    [InlineData("docs/x.md", "See [up](../../etc/passwd).", "leaves the repository")]
    [InlineData("README.md", "The parser lives in `Checker/Scenarios/NoSuchParser.cs`.", "does not exist in the repository")]
    [InlineData("README.md", "Run `klp-check replay scenarios/thread/nosuch.klp`.", "does not exist in the repository")]
    [InlineData("README.md", "See `thread.md` for the discussion.", "names no file of the repository")]
    [InlineData("README.md", "The model follows SEMANTICS.md section 4.", "outside the repository")]
    [InlineData("scenarios/thread/x.klp", "# Source: reference/lkml-2026-06-18-joe-lawrence-reply.txt", "outside the repository")]
    [InlineData("scenarios/thread/x.klp", "# docs/semantics.md section 4.99: no such reading", "has no section 4.99")]
    [InlineData("scenarios/thread/x.klp", "# docs/semantics.md sections 9.2 and 3.77", "has no section 3.77")]
    [InlineData("proposals/x.proposal", "source: SEMANTICS.md 4.6", "outside the repository")]
    [InlineData("proposals/x.proposal", "source: see docs/nosuch.md", "does not exist in the repository")]
    public void Check_BrokenReference_IsReported(string file, string text, string expected)
    {
        var problems = links.Check(file, text);

        Assert.Contains(problems, p => p.StartsWith(file + ":1: ", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("docs/x.md", "See [lore](https://lore.kernel.org/all/ajL-Y3dapC1FiAwx@redhat.com/) and https://example.org/reference/x.")]
    [InlineData("docs/x.md", "See [semantics](semantics.md#46-positional-replace_sets--own-evicted-joes-reading-1).")]
    [InlineData("README.md", "Run `dotnet run --project Checker -- check --traces out/ --plan p.plan`.")]
    [InlineData("README.md", "Or run the built `Checker/bin/Release/net10.0/klp-check` directly.")]
    [InlineData("README.md", "The kernel's `tools/testing/selftests/livepatch/test-state.sh` and `kernel/livepatch/core.c`.")]
    [InlineData("README.md", "Every `scenarios/**/*.klp` and `docs/*.md`, and `scenarios/kernel/`.")]
    [InlineData("scenarios/thread/x.klp", "load klp-1a   <- docs/nosuch.md is not a comment")]
    [InlineData("scenarios/thread/x.klp", "# docs/semantics.md sections 4.5-4.10 and 9.8; see song-conflict.klp")]
    public void Check_ValidReference_IsNotReported(string file, string text)
    {
        Assert.Empty(links.Check(file, text));
    }

    [Fact]
    public void Readings_EveryReading_HasANumberedSectionOfSemantics()
    {
        var headings = File.ReadAllLines(RepositoryFiles.Full("docs/semantics.md"))
            .Where(l => l.StartsWith("### 4.", StringComparison.Ordinal))
            .ToList();

        foreach (var reading in Klp.Check.Model.Readings.All)
            Assert.True(headings.Any(h => h.Contains($"`{reading.Name}`", StringComparison.Ordinal)), $"docs/semantics.md section 4 has no heading for {reading.Name}");
    }

    [Theory]
    [InlineData("4.6 `positional`: `replace_sets[] = {own, evicted...}` (Joe's reading 1)", "46-positional-replace_sets--own-evicted-joes-reading-1")]
    [InlineData("7.1 `isolation` = `functions+states` | `functions-only` | `none`", "71-isolation--functionsstates--functions-only--none")]
    public void Slug_Heading_IsGitHubsAnchor(string heading, string anchor)
    {
        Assert.Equal(anchor, DocLinks.Slug(heading));
    }
}
