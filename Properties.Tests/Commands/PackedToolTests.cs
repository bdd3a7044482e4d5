using Klp.Check.Commands;
using Klp.Check.Model;

namespace Klp.Check.Tests.Commands;

/// <summary>Packs the checker as a .NET tool, installs it into a folder and runs it, as the README tells users to.</summary>
public class PackedToolTests
{
    // Failures that say the machine cannot reach a package source, not that the package is wrong.
    private static readonly string[] offline = ["NU1301", "Unable to load the service index", "Name or service not known", "No such host", "Connection refused"];

    private static bool Offline(string output) => offline.Any(o => output.Contains(o, StringComparison.Ordinal));

    [SkippableFact]
    public void PackedTool_InstalledWithToolPath_RunsReadings()
    {
        var dotnet = ExternalTools.Find("dotnet");
        Skip.If(dotnet is null, "the dotnet CLI is not on PATH");
        var dir = Directory.CreateTempSubdirectory("klp-tool").FullName;
        var packages = Path.Combine(dir, "nupkg");
        var tools = Path.Combine(dir, "tools");
        // The checker the tests run was just built in this configuration: pack it without building again.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

        var pack = ExternalTools.Run(dotnet, ["pack", RepositoryFiles.Full("Checker/Klp.Check.csproj"), "-c", configuration, "--no-build", "-o", packages, "-nodeReuse:false"]);
        Skip.If(pack.Code != 0 && Offline(pack.Out + pack.Err), "dotnet pack cannot reach a package source: " + pack.Out.Trim());
        Assert.True(pack.Code == 0, pack.Out + pack.Err);
        var install = ExternalTools.Run(dotnet, ["tool", "install", "Klp.Check", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources"], workingDirectory: dir);
        Skip.If(install.Code != 0 && Offline(install.Out + install.Err), "dotnet tool install cannot reach a package source: " + install.Out.Trim());
        Assert.True(install.Code == 0, install.Out + install.Err);

        var (code, output, err) = ExternalTools.Run(Path.Combine(tools, "klp-check"), ["readings"], workingDirectory: dir);

        Assert.True(code == 0, err);
        Assert.Equal(ReadingsCommand.Render(Readings.All, "text"), output);
    }
}
