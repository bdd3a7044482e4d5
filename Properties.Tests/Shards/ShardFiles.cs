using System.Text.Json.Nodes;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Properties;

namespace Klp.Check.Tests.Shards;

/// <summary>Shards written by the tool, edited as a hostile user would, and merge's answer to them.</summary>
public static class ShardFiles
{
    /// <summary>A small compare whose shards report safety and liveness violations, reached witnesses and a distinguishing input: 256 raw catalogs under flat and upstream.</summary>
    public static readonly string[] Violating = ["compare", "--raw", "--bounds", "patches=2,numbers=2", "--no-scenarios", "--reading", "flat", "--reading", "upstream"];

    /// <summary>Runs shard <paramref name="shard"/> of a command into a file of <paramref name="dir"/> (a fresh folder when null).</summary>
    public static string Write(string[] command, string shard, string? dir = null)
    {
        dir ??= Directory.CreateTempSubdirectory("klp-shard").FullName;
        var file = Path.Combine(dir, $"shard-{shard.Replace('/', '-')}-{Guid.NewGuid():N}.json");
        var (code, _, err) = CliRunner.Run([.. command, "--shard", shard, "--out", file]);
        Assert.True(code == 0, err);
        return file;
    }

    /// <summary>Every shard of a command, 1 to <paramref name="n"/>, in a fresh folder.</summary>
    public static string[] WriteAll(string[] command, int n)
    {
        var dir = Directory.CreateTempSubdirectory("klp-shards").FullName;
        return [.. Enumerable.Range(1, n).Select(k => Write(command, $"{k}/{n}", dir))];
    }

    /// <summary>A copy of a shard with its JSON edited, beside it.</summary>
    public static string Edited(string file, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        edit(root);
        var copy = Path.Combine(Path.GetDirectoryName(file)!, $"edited-{Guid.NewGuid():N}.json");
        File.WriteAllText(copy, root.ToJsonString() + "\n");
        return copy;
    }

    /// <summary>A copy of a shard with its text edited, beside it.</summary>
    public static string EditedText(string file, Func<string, string> edit)
    {
        var copy = Path.Combine(Path.GetDirectoryName(file)!, $"edited-{Guid.NewGuid():N}.json");
        File.WriteAllText(copy, edit(File.ReadAllText(file)));
        return copy;
    }

    /// <summary>The partial of a property (by id) under the reading at <paramref name="reading"/> of a compare or check shard.</summary>
    public static JsonObject Property(JsonObject shard, int reading, string id)
    {
        var ids = shard["identity"]!["properties"]!.GetValue<string>().Split(',');
        return shard["readings"]![reading]!["properties"]![Array.IndexOf(ids, id)]!.AsObject();
    }

    /// <summary>Runs a command that must be refused: exit <paramref name="code"/>, nothing on stdout, one line on stderr, which it returns.</summary>
    public static string RefusedWithOneLine(int code, params string[] args)
    {
        var (actual, output, err) = CliRunner.Run(args);
        Assert.True(code == actual, $"exit {actual}: {err}");
        Assert.Equal("", output);
        var lines = err.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, err);
        return lines[0];
    }

    /// <summary>Runs a command that must be refused as bad input: exit 2, nothing on stdout, one line on stderr, which it returns.</summary>
    public static string RefusedWithOneLine(params string[] args) => RefusedWithOneLine(ExitCodes.Usage, args);
}
