using Klp.Check.Commands;
using Klp.Check.Conformance;
using Klp.Check.Model;
using YamlDotNet.RepresentationModel;

namespace Klp.Check.Tests.ScaleOut;

/// <summary>The recipes run the documented commands, the tool's parser accepts them, and N shards plus the merge print what one run prints.</summary>
public class RecipeCommandTests
{
    // A small bound: 257 plans per reading, a few seconds per process.
    private const string Bounds = "releases=3";
    private const string Readings = "upstream set flat";

    [Fact]
    public void RecipeScripts_EveryKlpCheckLine_AppearsVerbatimInTheDocs()
    {
        var page = File.ReadAllLines(RepositoryFiles.Full(Recipes.Page)).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var lines = Recipes.AllScripts().SelectMany(s => Recipes.KlpCheckLines(s.Script).Select(l => (s.Where, Line: l))).ToList();

        Assert.Contains(lines, l => l.Line.StartsWith("klp-check compare ", StringComparison.Ordinal) && l.Where.StartsWith(Recipes.WorkflowFile, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line.StartsWith("klp-check merge ", StringComparison.Ordinal) && l.Where.StartsWith(Recipes.WorkflowFile, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line.StartsWith("klp-check compare ", StringComparison.Ordinal) && l.Where.StartsWith(Recipes.KubernetesFolder, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line.StartsWith("klp-check merge ", StringComparison.Ordinal) && l.Where.StartsWith(Recipes.KubernetesFolder, StringComparison.Ordinal));
        var missing = lines.Where(l => !page.Contains(l.Line)).Select(l => $"{l.Where}: {l.Line}").ToList();
        Assert.True(missing.Count == 0, $"not in {Recipes.Page}:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void CliParse_UnknownOption_IsAnError()
    {
        Assert.Empty(Cli.Parse(["compare", "--bounds", Bounds, "--reading", "flat"]).Errors);
        Assert.NotEmpty(Cli.Parse(["compare", "--no-such-option"]).Errors);
        Assert.NotEmpty(Cli.Parse(["no-such-command"]).Errors);
    }

    [SkippableTheory]
    [InlineData("", "")]
    [InlineData("upstream set(states=versions) flat my.proposal", "baselines/compare-default.verdicts")]
    public void RecipeScripts_SampleValues_GiveCommandLinesTheParserAccepts(string readings, string expect)
    {
        Skip.If(Recipes.ShardsMissing is not null, Recipes.ShardsMissing);
        using var sandbox = new ScriptSandbox("klp-check");
        var calls = new List<string[]>();

        var (workflowShards, workflowMerge) = RunWorkflow(sandbox, n: 7, readings, expect, tool: false);
        var (kubernetesShards, kubernetesMerge) = RunKubernetes(sandbox, readings, expect, tool: false);
        foreach (var run in workflowShards.Append(workflowMerge).Concat(kubernetesShards).Append(kubernetesMerge))
            calls.AddRange(run.Of("klp-check"));

        Assert.Equal(7 + 1 + KubernetesShards + 1, calls.Count);
        foreach (var args in calls)
        {
            var parse = Cli.Parse(args);
            Assert.True(parse.Errors.Count == 0, $"klp-check {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            Assert.Equal(args[0], parse.CommandResult.Command.Name);
        }
    }

    [SkippableFact]
    public void WorkflowRecipe_ShardsThenMerge_PrintWhatOneRunPrints()
    {
        Skip.If(Recipes.ShardsMissing is not null, Recipes.ShardsMissing);
        using var sandbox = new ScriptSandbox("klp-check");
        // A baseline one verdict of which is wrong: both runs exit 1 and the workflow fails.
        var baseline = Path.Combine(sandbox.Root, "wrong.verdicts");
        File.WriteAllText(baseline, File.ReadAllText(RepositoryFiles.Full("baselines/compare-default.verdicts"))
            .Replace("upstream no-shared-state holds", "upstream no-shared-state violated", StringComparison.Ordinal));

        var (shardRuns, merge) = RunWorkflow(sandbox, n: 3, Readings, baseline, tool: true);
        var one = OneRun(sandbox, baseline);

        Assert.All(shardRuns, r => Assert.True(r.Code == 0, r.Err));
        Assert.True(merge.Code == 0, "the merge step keeps merge's exit code for the step that fails the job: " + merge.Err);
        Assert.Equal(1, one.Code);
        Assert.Equal($"code={one.Code}", File.ReadAllLines(Path.Combine(sandbox.Root, "github_output")).Single());
        Assert.Equal(one.Out, File.ReadAllText(Path.Combine(sandbox.Results, "report.md")));
        Assert.Equal(one.Out, File.ReadAllText(Path.Combine(sandbox.Root, "github_step_summary")));
    }

    [SkippableFact]
    public void KubernetesRecipe_ShardsThenMerge_PrintWhatOneRunPrints()
    {
        Skip.If(Recipes.ShardsMissing is not null, Recipes.ShardsMissing);
        using var sandbox = new ScriptSandbox("klp-check");

        var (shardRuns, merge) = RunKubernetes(sandbox, Readings, "", tool: true);
        var one = OneRun(sandbox, "");

        Assert.All(shardRuns, r => Assert.True(r.Code == 0, r.Err));
        Assert.Equal(one.Code, merge.Code);
        Assert.Equal(one.Out, merge.Out);
        Assert.Equal(one.Out, File.ReadAllText(Path.Combine(sandbox.Results, "report.md")));
    }

    private static int KubernetesShards => int.Parse(Recipes.JobRunning("klp-check compare").Text("spec", "completions")!, System.Globalization.CultureInfo.InvariantCulture);

    // The unsharded compare the recipes split, run by the built tool in the repository.
    private static (int Code, string Out) OneRun(ScriptSandbox sandbox, string expect)
    {
        string[] args = ["compare", .. Readings.Split(' ').SelectMany(r => new[] { "--reading", r }), "--bounds", Bounds, "--format", "markdown"];
        if (expect.Length > 0) args = [.. args, "--expect", expect];
        var (code, output, _) = ExternalTools.Run(ExternalTools.Find("dotnet")!, [ScriptSandbox.BuiltTool, .. args], workingDirectory: RepositoryFiles.Root);
        return (code, output);
    }

    // Every shard job's shard step, then the merge job's merge step, as the runner would run them, in the repository as the checkout.
    private static (List<ScriptRun> Shards, ScriptRun Merge) RunWorkflow(ScriptSandbox sandbox, int n, string readings, string expect, bool tool)
    {
        var workflow = Recipes.Workflow();
        var context = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["inputs.shards"] = $"{n}",
            ["inputs.bounds"] = Bounds,
            ["inputs.readings"] = readings,
            ["inputs.expect"] = expect,
        };
        Dictionary<string, string> Env(YamlNode job, YamlNode step) => Recipes.RunnerEnvironment(sandbox, workflow, job, step, context);
        var (_, shardJob, shardStep) = Recipes.WorkflowStepRunning(workflow, "klp-check compare");
        var shards = new List<ScriptRun>();
        for (var k = 1; k <= n; k++)
        {
            context["matrix.shard"] = $"{k}";
            shards.Add(sandbox.RunBashStep(shardStep.Text("run")!, Env(shardJob, shardStep), RepositoryFiles.Root, tool: tool));
        }
        var (_, mergeJob, mergeStep) = Recipes.WorkflowStepRunning(workflow, "klp-check merge");
        var merge = sandbox.RunBashStep(mergeStep.Text("run")!, Env(mergeJob, mergeStep), RepositoryFiles.Root, tool: tool);
        return (shards, merge);
    }

    // Every pod of the Indexed Job, then the merge Job's pod, with the ConfigMap's values replaced, in the repository as the checkout.
    private static (List<ScriptRun> Shards, ScriptRun Merge) RunKubernetes(ScriptSandbox sandbox, string readings, string expect, bool tool)
    {
        Dictionary<string, string> Env(YamlNode job)
        {
            var env = Recipes.PodEnvironment(sandbox, job);
            env["BOUNDS"] = Bounds;
            env["READINGS"] = readings;
            env["EXPECT"] = expect;
            return env;
        }
        var shardJob = Recipes.JobRunning("klp-check compare");
        var shards = new List<ScriptRun>();
        for (var index = 0; index < KubernetesShards; index++)
        {
            var env = Env(shardJob);
            env["JOB_COMPLETION_INDEX"] = $"{index}";
            shards.Add(sandbox.Run(Recipes.Command(Recipes.Container(shardJob)), env, RepositoryFiles.Root, tool: tool));
        }
        var mergeJob = Recipes.JobRunning("klp-check merge");
        return (shards, sandbox.Run(Recipes.Command(Recipes.Container(mergeJob)), Env(mergeJob), RepositoryFiles.Root, tool: tool));
    }
}
