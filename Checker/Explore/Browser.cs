using System.Diagnostics;

namespace Klp.Check.Explore;

/// <summary>Finds and starts a web browser for <c>explore --open</c>.</summary>
public static class Browser
{
    /// <summary>The programs tried in order after <c>$BROWSER</c>: the desktop's opener, then common browsers.</summary>
    public static IReadOnlyList<string> Candidates { get; } =
        ["xdg-open", "sensible-browser", "x-www-browser", "chromium", "chromium-browser", "google-chrome", "firefox", "open"];

    /// <summary>The browser to start, or null with why there is none.</summary>
    /// <param name="environment">Reads an environment variable (<c>PATH</c>, <c>BROWSER</c>, <c>DISPLAY</c>, <c>WAYLAND_DISPLAY</c>).</param>
    /// <param name="why">When null is returned, why.</param>
    public static string? Find(Func<string, string?> environment, out string why)
    {
        why = "";
        if (OperatingSystem.IsLinux() && string.IsNullOrEmpty(environment("DISPLAY")) && string.IsNullOrEmpty(environment("WAYLAND_DISPLAY")))
        {
            why = "no graphical display (DISPLAY and WAYLAND_DISPLAY are not set)";
            return null;
        }
        var dirs = (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string? OnPath(string name)
        {
            if (name.Contains('/')) return File.Exists(name) ? name : null;
            foreach (var dir in dirs)
            {
                var full = Path.Combine(dir, name);
                if (File.Exists(full)) return full;
            }
            return null;
        }
        if (environment("BROWSER") is { Length: > 0 } chosen && OnPath(chosen) is { } found) return found;
        foreach (var name in Candidates)
            if (OnPath(name) is { } path) return path;
        why = $"none of $BROWSER, {string.Join(", ", Candidates)} is on PATH";
        return null;
    }

    /// <summary>Starts a browser on a URL without waiting for it; false with why when it cannot be started.</summary>
    public static bool Open(string browser, string url, out string why)
    {
        why = "";
        try
        {
            var info = new ProcessStartInfo(browser) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(url);
            // Not disposed: the output is read, and dropped, for as long as the browser runs.
            var process = Process.Start(info);
            if (process is null)
            {
                why = $"{browser} did not start";
                return false;
            }
            // Nothing the browser prints belongs in the explorer's output.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return true;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            why = e.Message;
            return false;
        }
    }
}
