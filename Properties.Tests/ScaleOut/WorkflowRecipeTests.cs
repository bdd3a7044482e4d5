using System.Text.RegularExpressions;
using Klp.Check.Conformance;
using Klp.Check.Shards;
using YamlDotNet.RepresentationModel;

namespace Klp.Check.Tests.ScaleOut;

/// <summary>The GitHub Actions recipe: a workflow started by hand, a matrix of shard jobs over 1..N, artifacts, and a merge job that fails on merge's exit code.</summary>
public class WorkflowRecipeTests
{
    private static readonly YamlMappingNode workflow = Recipes.Workflow();

    // The sample inputs of a run.
    private static Dictionary<string, string> Context(int k, int n, string readings = "upstream set(states=versions) flat", string expect = "") => new(StringComparer.Ordinal)
    {
        ["inputs.shards"] = $"{n}",
        ["inputs.bounds"] = "releases=5,customers=2",
        ["inputs.readings"] = readings,
        ["inputs.expect"] = expect,
        ["matrix.shard"] = $"{k}",
    };

    private static ScriptRun RunStep(ScriptSandbox sandbox, YamlNode step, Dictionary<string, string> env, int exit = 0) =>
        sandbox.RunBashStep(step.Text("run")!, env, exit: exit);

    [Fact]
    public void Workflow_Trigger_IsOnlyWorkflowDispatchWithShardsBoundsReadings()
    {
        var on = workflow.Entries("on").ToList();

        Assert.Equal(["workflow_dispatch"], on.Select(e => e.Key));
        var inputs = workflow.Entries("on", "workflow_dispatch", "inputs").Select(e => e.Key).ToList();
        Assert.Contains("shards", inputs);
        Assert.Contains("bounds", inputs);
        Assert.Contains("readings", inputs);
        Assert.Equal("number", workflow.Text("on", "workflow_dispatch", "inputs", "shards", "type"));
        Assert.Equal("bash", workflow.Text("defaults", "run", "shell"));
    }

    [Fact]
    public void ShardJob_Matrix_IsTheShardListOfAJobItNeeds()
    {
        var (name, job, _) = Recipes.WorkflowStepRunning(workflow, "klp-check compare");
        var matrix = job.Text("strategy", "matrix", "shard");

        var m = Regex.Match(matrix ?? "", @"^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)\s*\}\}$");
        Assert.True(m.Success, $"job {name}: matrix.shard is '{matrix}', not the JSON list of a needed job's output");
        Assert.Contains(m.Groups[1].Value, Needs(job));
        Assert.Equal("false", job.Text("strategy", "fail-fast"));
        var output = workflow.Text("jobs", m.Groups[1].Value, "outputs", m.Groups[2].Value);
        Assert.Matches(@"^\$\{\{\s*steps\.[\w-]+\.outputs\.[\w-]+\s*\}\}$", output ?? "");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(256)]
    public void ShardList_WholeNumberN_ListsTheShardsOneToN(int n)
    {
        using var sandbox = new ScriptSandbox();

        var (code, list) = ShardList(sandbox, $"{n}");

        Assert.Equal(0, code);
        Assert.Equal("[" + string.Join(",", Enumerable.Range(1, n)) + "]", list);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    [InlineData("07")]
    [InlineData("-1")]
    [InlineData("four")]
    [InlineData("")]
    public void ShardList_BadN_FailsWithAnError(string n)
    {
        using var sandbox = new ScriptSandbox();

        var (code, list) = ShardList(sandbox, n);

        Assert.NotEqual(0, code);
        Assert.Null(list);
    }

    // Runs the step that computes the matrix's list for N; returns its exit code and the list it output.
    private static (int Code, string? List) ShardList(ScriptSandbox sandbox, string n)
    {
        var (_, job, _) = Recipes.WorkflowStepRunning(workflow, "klp-check compare");
        var m = Regex.Match(job.Text("strategy", "matrix", "shard")!, @"needs\.([\w-]+)\.outputs\.([\w-]+)");
        var listJob = (YamlMappingNode)workflow.At("jobs", m.Groups[1].Value)!;
        var s = Regex.Match(listJob.Text("outputs", m.Groups[2].Value)!, @"steps\.([\w-]+)\.outputs\.([\w-]+)");
        var step = listJob.Items("steps").Single(x => x.Text("id") == s.Groups[1].Value);
        var context = Context(1, 1);
        context["inputs.shards"] = n;
        var env = Recipes.RunnerEnvironment(sandbox, workflow, listJob, step, context);

        var run = RunStep(sandbox, step, env);

        var line = File.ReadAllLines(env["GITHUB_OUTPUT"]).SingleOrDefault(l => l.StartsWith(s.Groups[2].Value + "=", StringComparison.Ordinal));
        return (run.Code, line?[(s.Groups[2].Value.Length + 1)..]);
    }

    [Theory]
    [InlineData(1, 1, "")]
    [InlineData(3, 7, "upstream set(states=versions) flat")]
    public void ShardStep_ShardKOfN_RunsTheShardAndUploadsTheFileItWrites(int k, int n, string readings)
    {
        using var sandbox = new ScriptSandbox("klp-check");
        var (_, job, step) = Recipes.WorkflowStepRunning(workflow, "klp-check compare");
        var context = Context(k, n, readings);
        var env = Recipes.RunnerEnvironment(sandbox, workflow, job, step, context);

        var run = RunStep(sandbox, step, env);

        Assert.True(run.Code == 0, run.Err);
        var args = Assert.Single(run.Of("klp-check"));
        Assert.Equal("compare", args[0]);
        Assert.Equal($"{k}/{n}", Recipes.ValueOf(args, "--shard"));
        Assert.Equal(context["inputs.bounds"], Recipes.ValueOf(args, "--bounds"));
        Assert.Equal(readings.Split(' ', StringSplitOptions.RemoveEmptyEntries), args.Select((a, i) => (a, i)).Where(x => x.a == "--reading").Select(x => args[x.i + 1]));
        var upload = Assert.Single(Recipes.Uses(job, "actions/upload-artifact"));
        Assert.Equal(Recipes.ValueOf(args, "--out"), Recipes.Expand(upload.Text("with", "path")!, context));
        Assert.Equal($"shard-{k}", Recipes.Expand(upload.Text("with", "name")!, context));
    }

    [Fact]
    public void MergeJob_AfterTheShards_DownloadsTheirArtifactsWhereMergeReadsThem()
    {
        using var sandbox = new ScriptSandbox("klp-check");
        var (shardJobName, shardJob, _) = Recipes.WorkflowStepRunning(workflow, "klp-check compare");
        var (_, job, step) = Recipes.WorkflowStepRunning(workflow, "klp-check merge");
        var context = Context(1, 3);
        var env = Recipes.RunnerEnvironment(sandbox, workflow, job, step, context);
        var download = Assert.Single(Recipes.Uses(job, "actions/download-artifact"));
        var folder = Recipes.Expand(download.Text("with", "path")!, context);
        Directory.CreateDirectory(folder);
        var uploaded = Recipes.Uses(shardJob, "actions/upload-artifact").Single().Text("with", "name")!;
        foreach (var k in new[] { 1, 2, 3 })
        {
            var artifact = Recipes.Expand(uploaded, new Dictionary<string, string>(context) { ["matrix.shard"] = $"{k}" });
            Assert.Matches("^" + Regex.Escape(download.Text("with", "pattern")!).Replace(@"\*", ".*") + "$", artifact);
            File.WriteAllText(Path.Combine(folder, $"shard-{k}.json"), "{}");
        }

        var run = RunStep(sandbox, step, env);

        Assert.Contains(shardJobName, Needs(job));
        Assert.Equal("true", download.Text("with", "merge-multiple"));
        var args = Assert.Single(run.Of("klp-check"));
        Assert.Equal("merge", args[0]);
        Assert.Equal(new[] { 1, 2, 3 }.Select(k => Path.Combine(folder, $"shard-{k}.json")), args.Where(a => a.EndsWith(".json", StringComparison.Ordinal)));
        Assert.DoesNotContain("--expect", args);
        Assert.Contains("!cancelled()", job.Text("if"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MergeJob_MergesExitCode_FailsTheJobUnlessZero(int exit)
    {
        using var sandbox = new ScriptSandbox("klp-check");
        var (_, job, step) = Recipes.WorkflowStepRunning(workflow, "klp-check merge");
        var context = Context(1, 1, expect: "baselines/compare-default.verdicts");
        var env = Recipes.RunnerEnvironment(sandbox, workflow, job, step, context);

        var merge = RunStep(sandbox, step, env, exit);

        Assert.True(merge.Code == 0, "the merge step keeps merge's exit code for the later steps: " + merge.Err);
        Assert.Equal(["baselines/compare-default.verdicts"], Assert.Single(merge.Of("klp-check")).SkipWhile(a => a != "--expect").Skip(1).Take(1));
        var output = File.ReadAllLines(env["GITHUB_OUTPUT"]).Single();
        Assert.Equal($"code={exit}", output);
        var steps = job.Items("steps").ToList();
        var last = steps[^1];
        Assert.True(steps.IndexOf(step) < steps.FindIndex(s => s.Text("uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true), "the report is uploaded after the merge");
        Assert.Matches(@"^\$\{\{\s*steps\." + Regex.Escape(step.Text("id")!) + @"\.outputs\.code != '0'\s*\}\}$", last.Text("if") ?? "");
        if (exit == 0) return;
        context[$"steps.{step.Text("id")}.outputs.code"] = $"{exit}";
        var fail = RunStep(sandbox, last, Recipes.RunnerEnvironment(sandbox, workflow, job, last, context));
        Assert.NotEqual(0, fail.Code);
        Assert.Contains($"::error::klp-check merge exited {exit}", fail.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallAction_BuildJobsPackage_IsInstalledOnThePath()
    {
        using var sandbox = new ScriptSandbox("dotnet");
        var (_, buildJob, pack) = Recipes.WorkflowStepRunning(workflow, "dotnet pack");
        var action = Recipes.Load(Recipes.InstallActionFile).Single();
        var steps = action.Items("runs", "steps").ToList();
        var context = Context(1, 1);
        var uploaded = Assert.Single(Recipes.Uses(buildJob, "actions/upload-artifact"));
        var downloaded = Assert.Single(steps, s => s.Text("uses")?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
        var install = Assert.Single(steps, s => s.Text("run") is not null);
        var env = Recipes.RunnerEnvironment(sandbox, workflow, buildJob, pack, context);

        var packed = RunStep(sandbox, pack, env);
        var installed = RunStep(sandbox, install, env);

        Assert.Equal("composite", action.Text("runs", "using"));
        Assert.Equal("bash", install.Text("shell"));
        Assert.Equal(uploaded.Text("with", "name"), downloaded.Text("with", "name"));
        var packArgs = Assert.Single(packed.Of("dotnet"));
        Assert.Equal(uploaded.Text("with", "path")!.TrimEnd('/'), Recipes.ValueOf(packArgs, "-o"));
        var installArgs = Assert.Single(installed.Of("dotnet"));
        Assert.Equal(["tool", "install", "Klp.Check"], installArgs[..3]);
        Assert.Equal(Recipes.Expand(downloaded.Text("with", "path")!, context), Recipes.ValueOf(installArgs, "--add-source"));
        Assert.Equal(Recipes.ValueOf(installArgs, "--tool-path"), Assert.Single(File.ReadAllLines(env["GITHUB_PATH"])));
        foreach (var (name, job) in Recipes.WorkflowJobs(workflow).Where(j => j.Job.Items("steps").Any(s => Recipes.Runs(s.Text("run") ?? "", "klp-check "))))
        {
            var uses = job.Items("steps").Select(s => s.Text("uses") ?? "").ToList();
            Assert.True(uses.IndexOf("./" + Path.GetDirectoryName(Recipes.InstallActionFile)) > uses.FindIndex(u => u.StartsWith("actions/checkout@", StringComparison.Ordinal)), $"job {name} checks the repository out, then installs klp-check");
        }
    }

    private static IEnumerable<string> Needs(YamlNode job) =>
        job.At("needs") is YamlScalarNode one ? [one.Value ?? ""] : job.Scalars("needs");
}
