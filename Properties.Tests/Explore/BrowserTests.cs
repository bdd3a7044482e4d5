using Klp.Check.Conformance;
using Klp.Check.Explore;

namespace Klp.Check.Tests.Explore;

public class BrowserTests
{
    private static Func<string, string?> Environment(string path, string? browser = null, string? display = ":0") => name => name switch
    {
        "PATH" => path,
        "BROWSER" => browser,
        "DISPLAY" => display,
        _ => null,
    };

    private static string Folder(params string[] programs)
    {
        var dir = Directory.CreateTempSubdirectory("klp-browser").FullName;
        foreach (var p in programs) File.WriteAllText(Path.Combine(dir, p), "");
        return dir;
    }

    [Fact]
    public void Find_NothingOnPath_SaysSo()
    {
        Assert.Null(Browser.Find(Environment(Folder()), out var why));
        Assert.Contains("none of $BROWSER", why);
    }

    [Fact]
    public void Find_DesktopOpenerAndABrowser_PrefersTheOpener()
    {
        var dir = Folder("firefox", "xdg-open");

        Assert.Equal(Path.Combine(dir, "xdg-open"), Browser.Find(Environment(dir), out _));
    }

    [Fact]
    public void Find_BrowserVariable_WinsWhenOnPath()
    {
        var dir = Folder("firefox", "xdg-open", "mybrowser");

        Assert.Equal(Path.Combine(dir, "mybrowser"), Browser.Find(Environment(dir, "mybrowser"), out _));
        Assert.Equal(Path.Combine(dir, "xdg-open"), Browser.Find(Environment(dir, "absent"), out _));
    }

    [SkippableFact]
    public void Find_NoDisplayOnLinux_FindsNone()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the display check is Linux's");
        Assert.Null(Browser.Find(Environment(Folder("xdg-open"), display: null), out var why));
        Assert.Contains("no graphical display", why);
    }
}
