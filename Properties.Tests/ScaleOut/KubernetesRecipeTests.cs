using System.Globalization;
using Klp.Check.Conformance;
using YamlDotNet.RepresentationModel;

namespace Klp.Check.Tests.ScaleOut;

/// <summary>The Kubernetes recipe: a build Job, an Indexed Job of N shards and a merge Job sharing one ReadWriteMany volume.</summary>
public class KubernetesRecipeTests
{
    private static readonly YamlMappingNode build = Recipes.JobRunning("dotnet tool install");
    private static readonly YamlMappingNode shards = Recipes.JobRunning("klp-check compare");
    private static readonly YamlMappingNode merge = Recipes.JobRunning("klp-check merge");

    // A path of the pod, on the shared volume, as a path of the sandbox.
    private static string InSandbox(ScriptSandbox sandbox, YamlNode job, string path)
    {
        var mount = Recipes.Volume(job).MountPath;
        Assert.StartsWith(mount + "/", path, StringComparison.Ordinal);
        return sandbox.Results + path[mount.Length..];
    }

    private static int N => int.Parse(shards.Text("spec", "completions")!, CultureInfo.InvariantCulture);

    [Fact]
    public void Manifests_EveryObject_HasApiVersionKindAndName()
    {
        var objects = Recipes.Manifests();

        Assert.NotEmpty(Recipes.ManifestFiles());
        foreach (var o in objects)
        {
            Assert.False(string.IsNullOrEmpty(o.Text("apiVersion")), "apiVersion");
            Assert.False(string.IsNullOrEmpty(o.Text("kind")), "kind");
            Assert.False(string.IsNullOrEmpty(o.Text("metadata", "name")), "metadata.name");
        }
        Assert.Equal(3, Recipes.Jobs().Count);
        Assert.All(Recipes.Jobs(), j => Assert.Equal("Never", j.Text("spec", "template", "spec", "restartPolicy")));
    }

    [Fact]
    public void ShardsJob_Indexed_CompletionsEqualParallelismEqualN()
    {
        var env = Recipes.Environment(Recipes.Container(shards));

        Assert.Equal("Indexed", shards.Text("spec", "completionMode"));
        Assert.Equal(shards.Text("spec", "completions"), shards.Text("spec", "parallelism"));
        Assert.Equal(shards.Text("spec", "completions"), env["N"]);
        Assert.Contains("JOB_COMPLETION_INDEX", Recipes.Script(Recipes.Container(shards)), StringComparison.Ordinal);
        Assert.Null(merge.Text("spec", "completionMode"));
    }

    [Fact]
    public void ShardsJob_EveryCompletionIndex_RunsShardIndexPlusOneOnTheSharedVolume()
    {
        using var sandbox = new ScriptSandbox("klp-check");
        var env = Recipes.PodEnvironment(sandbox, shards);

        for (var index = 0; index < N; index++)
        {
            env["JOB_COMPLETION_INDEX"] = $"{index}";
            var run = sandbox.Run(Recipes.Command(Recipes.Container(shards)), env);

            Assert.True(run.Code == 0, run.Err);
            var args = Assert.Single(run.Of("klp-check"));
            Assert.Equal("compare", args[0]);
            Assert.Equal($"{index + 1}/{N}", Recipes.ValueOf(args, "--shard"));
            Assert.Equal(Path.Combine(sandbox.Results, "shards", $"shard-{index + 1}.json"), Recipes.ValueOf(args, "--out"));
            Assert.True(Directory.Exists(Path.GetDirectoryName(Recipes.ValueOf(args, "--out"))), "the shard makes the folder it writes to");
        }
    }

    [Fact]
    public void Jobs_SharedVolume_IsTheReadWriteManyClaimMountedAtResults()
    {
        var claims = Recipes.Manifests().Where(m => m.Text("kind") == "PersistentVolumeClaim").ToList();

        var claim = Assert.Single(claims);
        Assert.Equal(["ReadWriteMany"], claim.Scalars("spec", "accessModes"));
        foreach (var job in Recipes.Jobs())
        {
            var (mount, name) = Recipes.Volume(job);
            Assert.Equal(claim.Text("metadata", "name"), name);
            Assert.Equal(mount, Recipes.Environment(Recipes.Container(job))["RESULTS"]);
        }
    }

    [Fact]
    public void BuildJob_Script_ChecksOutAndInstallsTheToolWhereShardsAndMergeRunIt()
    {
        using var sandbox = new ScriptSandbox("git", "dotnet");
        var env = Recipes.PodEnvironment(sandbox, build);

        var run = sandbox.Run(Recipes.Command(Recipes.Container(build)), env);

        Assert.True(run.Code == 0, run.Err);
        var git = run.Of("git").ToList();
        var clone = Assert.Single(git, a => a[0] == "clone");
        Assert.Equal(env["REPOSITORY"], clone[^2]);
        var checkout = clone[^1];
        Assert.Contains(git, a => a.SequenceEqual(["-C", checkout, "checkout", "--quiet", "--detach", env["REVISION"]]));
        var dotnet = run.Of("dotnet").ToList();
        var pack = Assert.Single(dotnet, a => a[0] == "pack");
        Assert.Equal(Path.Combine(checkout, "Checker"), pack[1]);
        var install = Assert.Single(dotnet, a => a[0] == "tool");
        Assert.Equal(["tool", "install", "Klp.Check"], install[..3]);
        Assert.Equal(Recipes.ValueOf(pack, "-o"), Recipes.ValueOf(install, "--add-source"));
        Assert.StartsWith(sandbox.Results + "/", checkout, StringComparison.Ordinal);
        Assert.All(new[] { build, shards, merge }, j => Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Recipes.Container(j).Text("image"), StringComparison.Ordinal));

        // The shards and the merge run in the checkout and find klp-check where the build installed it.
        Directory.CreateDirectory(checkout);
        sandbox.AddStandIn(Recipes.ValueOf(install, "--tool-path")!, "klp-check");
        File.Delete(Path.Combine(sandbox.Bin, "klp-check"));
        foreach (var job in new[] { shards, merge })
        {
            var container = Recipes.Container(job);
            Assert.Equal(checkout, InSandbox(sandbox, job, container.Text("workingDir")!));
            var jobEnv = Recipes.PodEnvironment(sandbox, job);
            jobEnv["JOB_COMPLETION_INDEX"] = "0";
            var ran = sandbox.Run(Recipes.Command(container), jobEnv, checkout);
            Assert.True(ran.Code == 0, ran.Err);
            Assert.Single(ran.Of("klp-check"));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MergeJob_AfterEveryShard_MergesTheirFilesAndExitsWithMergesCode(int exit)
    {
        using var sandbox = new ScriptSandbox("klp-check");
        var shardEnv = Recipes.PodEnvironment(sandbox, shards);
        var written = new List<string>();
        for (var index = 0; index < N; index++)
        {
            shardEnv["JOB_COMPLETION_INDEX"] = $"{index}";
            var shard = sandbox.Run(Recipes.Command(Recipes.Container(shards)), shardEnv);
            written.Add(Recipes.ValueOf(shard.Of("klp-check").Single(), "--out")!);
            File.WriteAllText(written[^1], "{}");
        }

        var run = sandbox.Run(Recipes.Command(Recipes.Container(merge)), Recipes.PodEnvironment(sandbox, merge), exit: exit);

        Assert.Equal(exit, run.Code);
        var args = Assert.Single(run.Of("klp-check"));
        Assert.Equal("merge", args[0]);
        Assert.Equal(written.Order(StringComparer.Ordinal), args.Where(a => a.EndsWith(".json", StringComparison.Ordinal)));
        Assert.Equal("0", merge.Text("spec", "backoffLimit"));
    }
}
