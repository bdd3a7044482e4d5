using System.Text.RegularExpressions;
using Klp.Check.Commands;
using Klp.Check.Conformance;
using YamlDotNet.RepresentationModel;

namespace Klp.Check.Tests.ScaleOut;

/// <summary>The scale-out recipes of docs/scale-out.md: the GitHub Actions workflow and the Kubernetes manifests as YAML, and their scripts.</summary>
public static partial class Recipes
{
    /// <summary>The page that documents the recipes.</summary>
    public const string Page = "docs/scale-out.md";

    /// <summary>The GitHub Actions workflow.</summary>
    public const string WorkflowFile = ".github/workflows/scale-out.yml";

    /// <summary>The composite action the workflow's jobs install the tool with.</summary>
    public const string InstallActionFile = ".github/actions/install-klp-check/action.yml";

    /// <summary>The folder of the Kubernetes manifests.</summary>
    public const string KubernetesFolder = "deploy/kubernetes";

    /// <summary>Why the tests that run <c>compare --shard</c> and <c>merge</c> cannot run, or null when the tool has both.</summary>
    public static string? ShardsMissing =>
        Cli.Parse(["merge"]).CommandResult.Command.Name == "merge"
            ? null
            : "klp-check has no merge command yet; these tests need compare --shard K/N --out FILE and merge";

    /// <summary>The documents of a YAML file of the repository, each a mapping.</summary>
    public static IReadOnlyList<YamlMappingNode> Load(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(RepositoryFiles.Full(relative)));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    /// <summary>The workflow.</summary>
    public static YamlMappingNode Workflow() => Load(WorkflowFile).Single();

    /// <summary>The manifest files, relative to the repository root, sorted.</summary>
    public static IReadOnlyList<string> ManifestFiles() =>
        [.. Directory.EnumerateFiles(RepositoryFiles.Full(KubernetesFolder), "*.yaml")
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every object of every manifest file.</summary>
    public static IReadOnlyList<YamlMappingNode> Manifests() => [.. ManifestFiles().SelectMany(Load)];

    /// <summary>The Jobs of the manifests.</summary>
    public static IReadOnlyList<YamlMappingNode> Jobs() => [.. Manifests().Where(m => m.Text("kind") == "Job")];

    /// <summary>The one Job whose container script has a line that starts with <paramref name="command"/>.</summary>
    public static YamlMappingNode JobRunning(string command) => Jobs().Single(j => Runs(Script(Container(j)), command));

    /// <summary>True when a line of the script, indentation aside, starts with <paramref name="command"/>.</summary>
    public static bool Runs(string script, string command) =>
        script.Split('\n').Any(l => l.TrimStart().StartsWith(command, StringComparison.Ordinal));

    /// <summary>The one container of a Job.</summary>
    public static YamlMappingNode Container(YamlNode job) => job.Items("spec", "template", "spec", "containers").Single();

    /// <summary>The script a container runs: the last of its <c>command</c> and <c>args</c>.</summary>
    public static string Script(YamlNode container) => Command(container)[^1];

    /// <summary>The program and arguments a container starts with: <c>command</c> followed by <c>args</c>.</summary>
    public static string[] Command(YamlNode container) =>
        [.. container.Scalars("command"), .. container.Scalars("args")];

    /// <summary>The environment of a container: its <c>env</c> values over the data of the ConfigMaps its <c>envFrom</c> names.</summary>
    public static Dictionary<string, string> Environment(YamlNode container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.Items("envFrom"))
        {
            var name = source.Text("configMapRef", "name");
            var map = Manifests().Single(m => m.Text("kind") == "ConfigMap" && m.Text("metadata", "name") == name);
            foreach (var (key, value) in map.Entries("data")) env[key] = ((YamlScalarNode)value).Value ?? "";
        }
        foreach (var variable in container.Items("env")) env[variable.Text("name")!] = variable.Text("value") ?? "";
        return env;
    }

    /// <summary>The environment of a Job's pod run in <paramref name="sandbox"/>: the container's, with RESULTS (the shared volume) moved to the sandbox's.</summary>
    public static Dictionary<string, string> PodEnvironment(ScriptSandbox sandbox, YamlNode job)
    {
        var env = Environment(Container(job));
        env["RESULTS"] = sandbox.Results;
        return env;
    }

    /// <summary>The one mount of a container and the claim it mounts.</summary>
    public static (string MountPath, string Claim) Volume(YamlNode job)
    {
        var mount = Container(job).Items("volumeMounts").Single();
        var volume = job.Items("spec", "template", "spec", "volumes").Single(v => v.Text("name") == mount.Text("name"));
        return (mount.Text("mountPath")!, volume.Text("persistentVolumeClaim", "claimName")!);
    }

    /// <summary>The jobs of the workflow by name.</summary>
    public static IEnumerable<(string Name, YamlMappingNode Job)> WorkflowJobs(YamlNode workflow) =>
        workflow.Entries("jobs").Select(e => (e.Key, (YamlMappingNode)e.Value));

    /// <summary>The one step of the workflow whose script has a line that starts with <paramref name="command"/>, with its job.</summary>
    public static (string Name, YamlMappingNode Job, YamlMappingNode Step) WorkflowStepRunning(YamlNode workflow, string command) =>
        WorkflowJobs(workflow)
            .SelectMany(j => j.Job.Items("steps").Select(s => (j.Name, j.Job, Step: s)))
            .Single(s => Runs(s.Step.Text("run") ?? "", command));

    /// <summary>The steps of a workflow job that use an action (<c>uses: actions/upload-artifact@v6</c> for <c>actions/upload-artifact</c>).</summary>
    public static IEnumerable<YamlMappingNode> Uses(YamlNode job, string action) =>
        job.Items("steps").Where(s => s.Text("uses") is { } uses && uses.Split('@')[0] == action);

    /// <summary>The environment a workflow step runs with: the workflow's, the job's and the step's <c>env</c>, each expression replaced from <paramref name="context"/>, which gains <c>env.NAME</c> for each.</summary>
    public static Dictionary<string, string> StepEnvironment(YamlNode workflow, YamlNode job, YamlNode step, Dictionary<string, string> context)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var level in new[] { workflow, job, step })
            foreach (var (key, value) in level.Entries("env"))
            {
                env[key] = Expand(((YamlScalarNode)value).Value ?? "", context);
                context[$"env.{key}"] = env[key];
            }
        return env;
    }

    /// <summary>The environment a runner gives a workflow step run in <paramref name="sandbox"/>: <see cref="StepEnvironment"/> with RESULTS moved to the sandbox's, and the runner's files and temporary folder in the sandbox.</summary>
    public static Dictionary<string, string> RunnerEnvironment(ScriptSandbox sandbox, YamlNode workflow, YamlNode job, YamlNode step, Dictionary<string, string> context)
    {
        var env = StepEnvironment(workflow, job, step, context);
        if (!env.ContainsKey("RESULTS")) throw new InvalidOperationException("the workflow names the folder of the results in its env RESULTS");
        env["RESULTS"] = context["env.RESULTS"] = sandbox.Results;
        foreach (var file in new[] { "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH" })
        {
            env[file] = Path.Combine(sandbox.Root, file.ToLowerInvariant());
            if (!File.Exists(env[file])) File.WriteAllText(env[file], "");
        }
        env["RUNNER_TEMP"] = context["runner.temp"] = Path.Combine(sandbox.Root, "runner-temp");
        return env;
    }

    /// <summary>Replaces every <c>${{ expression }}</c> of a workflow value by its value in <paramref name="context"/>; an expression without one fails the test.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> context) =>
        Expression().Replace(text, m => context.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new KeyNotFoundException($"no sample value for the expression '{m.Groups[1].Value}' in '{text}'"));

    /// <summary>The lines of a script that run <c>klp-check</c>, trimmed.</summary>
    public static IEnumerable<string> KlpCheckLines(string script) =>
        script.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("klp-check ", StringComparison.Ordinal));

    /// <summary>The value that follows <paramref name="option"/> in a command line, or null when it is not there.</summary>
    public static string? ValueOf(string[] args, string option)
    {
        var i = Array.IndexOf(args, option);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Every script of the workflow, the install action and the manifests, named by file and job or step.</summary>
    public static IEnumerable<(string Where, string Script)> AllScripts()
    {
        foreach (var (name, job) in WorkflowJobs(Workflow()))
            foreach (var step in job.Items("steps"))
                if (step.Text("run") is { } run) yield return ($"{WorkflowFile} job {name}", run);
        foreach (var step in Load(InstallActionFile).Single().Items("runs", "steps"))
            if (step.Text("run") is { } run) yield return (InstallActionFile, run);
        foreach (var job in Jobs())
            yield return ($"{KubernetesFolder} Job {job.Text("metadata", "name")}", Script(Container(job)));
    }

    [GeneratedRegex(@"\$\{\{\s*(.+?)\s*\}\}")]
    private static partial Regex Expression();
}
