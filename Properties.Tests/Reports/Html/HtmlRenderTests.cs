using System.Buffers.Binary;
using System.IO.Compression;
using Klp.Check.Conformance;

namespace Klp.Check.Tests.Reports.Html;

/// <summary>Renders the compare page in headless Chromium, as a reviewer would open it from disk.</summary>
public class HtmlRenderTests
{
    /// <summary>The distinct RGB colours of an 8-bit RGB or RGBA PNG (what Chromium's screenshots are).</summary>
    public static HashSet<int> Colours(byte[] png)
    {
        Assert.Equal(0x89504E47u, BinaryPrimitives.ReadUInt32BigEndian(png));
        int width = 0, height = 0, channels = 0;
        using var data = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = (int)BinaryPrimitives.ReadUInt32BigEndian(body);
                height = (int)BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]);
                channels = body[9] switch { 2 => 3, 6 => 4, var t => throw new NotSupportedException($"PNG colour type {t}") };
                Assert.Equal(0, body[12]);
            }
            else if (type == "IDAT") data.Write(body);
            at += 12 + length;
        }
        data.Position = 0;
        using var z = new ZLibStream(data, CompressionMode.Decompress);
        var stride = width * channels;
        var previous = new byte[stride];
        var row = new byte[stride];
        var colours = new HashSet<int>();
        for (var y = 0; y < height; y++)
        {
            var filter = z.ReadByte();
            z.ReadExactly(row);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? row[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                row[i] += filter switch
                {
                    0 => 0,
                    1 => (byte)a,
                    2 => (byte)b,
                    3 => (byte)((a + b) / 2),
                    4 => (byte)Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                };
            }
            for (var x = 0; x < width; x++) colours.Add(row[x * channels] << 16 | row[x * channels + 1] << 8 | row[x * channels + 2]);
            (previous, row) = (row, previous);
        }
        return colours;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    [Fact]
    public void Colours_TwoColourPng_FindsBoth()
    {
        // A 2x1 RGB image, red then white, filter 0, as zlib data.
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true)) z.Write([0, 255, 0, 0, 255, 255, 255]);
        var png = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        void Chunk(string type, byte[] body)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)body.Length);
            png.AddRange(length);
            png.AddRange(System.Text.Encoding.ASCII.GetBytes(type));
            png.AddRange(body);
            png.AddRange(new byte[4]);
        }
        Chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        Chunk("IDAT", raw.ToArray());
        Chunk("IEND", []);

        Assert.Equal([0xFF0000, 0xFFFFFF], Colours([.. png]).Order());
    }

    [SkippableFact]
    public void ComparePage_InHeadlessChromium_RendersWithoutConsoleErrors()
    {
        var chromium = ExternalTools.Find("chromium", "chromium-browser", "google-chrome");
        Skip.If(chromium is null, "Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)");
        var dir = Directory.CreateTempSubdirectory("klp-html").FullName;
        var page = Path.Combine(dir, "report.html");
        var shot = Path.Combine(dir, "report.png");
        File.WriteAllText(page, HtmlReportTests.ComparePage);

        var (code, _, err) = ExternalTools.Run(chromium, [
            "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
            $"--user-data-dir={Path.Combine(dir, "profile")}", "--enable-logging=stderr", "--v=0",
            "--window-size=1280,2000", $"--screenshot={shot}", new Uri(page).AbsoluteUri]);

        Assert.True(code == 0, err);
        // Chromium logs every console message (errors, refused loads, policy violations) as CONSOLE lines.
        Assert.DoesNotContain(err.Split('\n'), line => line.Contains("CONSOLE", StringComparison.Ordinal));
        var colours = Colours(File.ReadAllBytes(shot));
        Assert.True(colours.Count > 1, "the screenshot is one colour");
        // The violated cells' background: the page's styles were applied.
        Assert.Contains(colours, c => Math.Abs((c >> 16) - 0xFB) <= 2 && Math.Abs((c >> 8 & 0xFF) - 0xE1) <= 2 && Math.Abs((c & 0xFF) - 0xD0) <= 2);
    }
}
