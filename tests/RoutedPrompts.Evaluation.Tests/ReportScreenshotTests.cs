using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// The HTML report opens in a real browser and shows the plot: headless Chromium screenshots the page, and the pixels
/// must show the chosen marker's red ring, the threshold sweep's blue and the tiers' dark squares where the SVG puts
/// them; the same page without its SVG (the negative control) must show none of them.
/// </summary>
public sealed class ReportScreenshotTests(ITestOutputHelper output) : IDisposable
{
    private const string BrowserVariable = "ROUTEDPROMPTS_BROWSER";
    private const int Tolerance = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] BrowserNames = ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"];
    private static readonly Rgb Red = new(0xd6, 0x27, 0x28);
    private static readonly Rgb Blue = new(0x7a, 0xa6, 0xd8);
    private static readonly Rgb Dark = new(0x44, 0x44, 0x44);

    private readonly string _dir = Directory.CreateTempSubdirectory("rp-shot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task The_HTML_report_opens_in_a_browser_and_shows_the_plot()
    {
        var lookup = FindBrowser(Environment.GetEnvironmentVariable(BrowserVariable), Environment.GetEnvironmentVariable("PATH"), !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")));
        if (lookup.Failure is not null)
        {
            Assert.Fail(lookup.Failure);
        }

        Skip.If(lookup.Path is null, lookup.SkipReason);
        var browser = lookup.Path!;

        var report = Report();
        var html = TaskReport.ToHtml([report]);
        var (svgStart, svgEnd) = (html.IndexOf("<svg", StringComparison.Ordinal), html.IndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length);
        Assert.True(svgStart >= 0 && svgEnd > svgStart, "the report has no <svg>…</svg> plot");
        var svg = XElement.Parse(html[svgStart..svgEnd]);
        var chosen = Centre(svg, "chosen").Single();
        var ring = svg.Descendants().Single(e => (string?)e.Attribute("class") == "chosen");
        var ringRadius = Number(ring, "r");
        var ringOuterRadius = ringRadius + (Number(ring, "stroke-width") / 2);
        var thresholds = Centre(svg, "threshold").ToList();
        var tiers = Centre(svg, "tier").ToList();
        Assert.Equal(report.Sweep.Count, thresholds.Count);
        Assert.Equal(report.Tiers.Count, tiers.Count);

        var page = await Screenshot(browser, html, "report");
        var red = Matching(page, Red);
        var blue = Matching(page, Blue);
        var darkBlocks = DarkBlocks(page);
        output.WriteLine($"report: {page.Width}×{page.Height}, {red.Count} red, {blue.Count} blue pixels, {darkBlocks.Count} dark 4×4 blocks");

        // The plot is there: the chosen ring (and its red label), the sweep's points and line, the tiers' squares.
        Assert.True(red.Count >= 40, $"expected the chosen marker's red (#d62728) in the screenshot, found {red.Count} pixels");
        Assert.True(blue.Count >= 80, $"expected the threshold sweep's blue (#7aa6d8) in the screenshot, found {blue.Count} pixels");
        Assert.True(darkBlocks.Count >= report.Tiers.Count, $"expected {report.Tiers.Count} dark (#444) tier squares, found {darkBlocks.Count} solid 4×4 blocks");

        // The red is one small spot — the ring plus its "chosen" label to the right and below — not spread over the page.
        var (minX, minY) = (red.Min(p => p.X), red.Min(p => p.Y));
        var (maxX, maxY) = (red.Max(p => p.X), red.Max(p => p.Y));
        output.WriteLine($"red bounding box: ({minX}, {minY})–({maxX}, {maxY})");
        Assert.True(maxX - minX <= 100 && maxY - minY <= 40, $"the red pixels spread over ({minX}, {minY})–({maxX}, {maxY}); expected one marker with its label");

        // Where the SVG puts things: the ring's top-left edge (the label lies right of and below it) places the plot on the
        // page; from there every threshold point must be blue, every tier a dark square, and the ring hollow around its
        // sweep point. Only the SVG's own geometry is used, so fonts do not matter.
        var (offsetX, offsetY) = (minX + 0.5 - (chosen.X - ringOuterRadius), minY + 0.5 - (chosen.Y - ringOuterRadius));
        (int X, int Y) OnPage((double X, double Y) point) => ((int)Math.Floor(point.X + offsetX), (int)Math.Floor(point.Y + offsetY));
        var (plotLeft, plotTop) = OnPage((0, 0));
        var (plotRight, plotBottom) = OnPage((double.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture), double.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture)));
        Assert.True(plotLeft >= 0 && plotTop >= 0 && plotRight <= page.Width && plotBottom <= page.Height, $"the plot ({plotLeft}, {plotTop})–({plotRight}, {plotBottom}) is not inside the {page.Width}×{page.Height} screenshot");
        foreach (var point in thresholds)
        {
            var (x, y) = OnPage(point);
            Assert.True(Any(page, x, y, 2, Blue), $"no threshold blue near ({x}, {y}), where the SVG puts the sweep point ({point.X}, {point.Y})");
        }

        foreach (var point in tiers)
        {
            var (x, y) = OnPage(point);
            Assert.True(darkBlocks.Any(b => b.X >= x - 6 && b.X <= x + 2 && b.Y >= y - 6 && b.Y <= y + 2), $"no dark tier square near ({x}, {y}), where the SVG puts the tier ({point.X}, {point.Y})");
        }

        var (cx, cy) = OnPage(chosen);
        Assert.True(Any(page, cx, cy, 1, Blue) && !Any(page, cx, cy, 1, Red), $"the chosen ring at ({cx}, {cy}) should be hollow around its blue sweep point");
        var r = (int)Math.Round(ringRadius);
        Assert.True(Any(page, cx + r, cy, 1, Red) && Any(page, cx - r, cy, 1, Red) && Any(page, cx, cy - r, 1, Red) && Any(page, cx, cy + r, 1, Red), $"the chosen ring (r = {ringRadius}) is not drawn around ({cx}, {cy})");

        // Negative control: the same page without the SVG has the table and text, but none of the plot's colours.
        var control = await Screenshot(browser, html[..svgStart] + html[svgEnd..], "no-plot");
        var controlRed = Matching(control, Red).Count;
        var controlBlue = Matching(control, Blue).Count;
        var controlDark = DarkBlocks(control).Count;
        output.WriteLine($"control: {controlRed} red, {controlBlue} blue pixels, {controlDark} dark 4×4 blocks");
        Assert.True(controlRed <= 3, $"the page without its plot still has {controlRed} red pixels: the red check cannot tell the plot apart");
        Assert.True(controlBlue <= 3, $"the page without its plot still has {controlBlue} blue pixels: the blue check cannot tell the plot apart");
        Assert.True(controlDark == 0, $"the page without its plot still has {controlDark} dark 4×4 blocks: the tier check cannot tell the plot apart");
        Assert.True(Matching(control, new Rgb(0, 0, 0)).Count > 100, "the page without its plot should still show its (black) text: did the browser render anything?");
    }

    [Fact]
    public void Browser_lookup_fails_on_a_missing_configured_browser_and_skips_or_fails_without_one()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty-path")).FullName;
        var missing = Path.Combine(_dir, "no-such-browser");
        Assert.Equal($"{BrowserVariable} points to {missing}, which does not exist.", FindBrowser(missing, empty, ci: false).Failure);

        var local = FindBrowser(null, empty, ci: false);
        Assert.Null(local.Path);
        Assert.Null(local.Failure);
        Assert.Contains("apt-get install chromium-headless-shell", local.SkipReason, StringComparison.Ordinal);
        Assert.Contains(BrowserVariable, local.SkipReason, StringComparison.Ordinal);

        var ci = FindBrowser("", empty, ci: true);
        Assert.Null(ci.Path);
        Assert.Contains("CI must install chromium-headless-shell", ci.Failure, StringComparison.Ordinal);

        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var chromium = Path.Combine(bin, "chromium");
        File.WriteAllText(chromium, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(chromium, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.Equal(chromium, FindBrowser(null, string.Join(Path.PathSeparator, empty, bin), ci: true).Path);
        Assert.Equal(chromium, FindBrowser(chromium, empty, ci: true).Path);
    }

    [Fact]
    public void Png_decoder_undoes_every_filter_type_and_refuses_what_it_does_not_support()
    {
        var random = new Random(7);
        foreach (var channels in new[] { 3, 4 })
        {
            var (width, height) = (7, 10); // two rows of each filter type 0–4
            var pixels = new byte[height][];
            for (var y = 0; y < height; y++)
            {
                pixels[y] = new byte[width * channels];
                random.NextBytes(pixels[y]);
            }

            var image = PngImage.Decode(Png(width, height, channels == 3 ? (byte)2 : (byte)6, pixels));
            Assert.Equal((width, height), (image.Width, image.Height));
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    Assert.Equal((pixels[y][x * channels], pixels[y][(x * channels) + 1], pixels[y][(x * channels) + 2]), image[x, y]);
                }
            }
        }

        var grey = Assert.Throws<NotSupportedException>(() => PngImage.Decode(Png(1, 1, 0, [[0]])));
        Assert.Contains("colour type 0", grey.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => PngImage.Decode(Encoding.ASCII.GetBytes("GIF89a")));
    }

    /// <summary>A report built in code: three tiers, a ten-threshold sweep of Small → Large, the chosen point on the sweep.</summary>
    private static TaskReport Report()
    {
        OperatingPoint[] sweep =
        [
            new(0.1, 0.66, 2.2e-5, 0.06), new(0.2, 0.71, 3.5e-5, 0.13), new(0.3, 0.76, 5.0e-5, 0.21), new(0.4, 0.81, 6.8e-5, 0.30),
            new(0.5, 0.85, 8.6e-5, 0.39), new(0.6, 0.88, 1.05e-4, 0.48), new(0.7, 0.90, 1.26e-4, 0.58), new(0.8, 0.915, 1.5e-4, 0.69),
            new(0.9, 0.925, 1.78e-4, 0.82), new(1.0, 0.93, 2.1e-4, 1.0),
        ];
        TierPoint[] tiers = [new("Small", 0.62, 0.55, 0.69, 1.0e-5), new("Medium", 0.78, 0.72, 0.83, 8.0e-5), new("Large", 0.93, 0.89, 0.96, 2.0e-4)];
        return new TaskReport("Support.Triage", tiers, sweep[5], sweep, "Small earns the traffic at threshold 0.6.", 200);
    }

    private static IEnumerable<(double X, double Y)> Centre(XElement svg, string cssClass) => svg.Descendants()
        .Where(e => (string?)e.Attribute("class") == cssClass)
        .Select(e => e.Name.LocalName == "circle"
            ? (Number(e, "cx"), Number(e, "cy"))
            : (Number(e, "x"), Number(e, "y"))); // the tier squares are translated by half their size: (x, y) is the centre

    private static double Number(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    internal sealed record BrowserLookup(string? Path, string? Failure, string? SkipReason);

    /// <summary>The browser: ROUTEDPROMPTS_BROWSER if set, else the first of <see cref="BrowserNames"/> on PATH.</summary>
    internal static BrowserLookup FindBrowser(string? configured, string? path, bool ci)
    {
        var directories = (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (!string.IsNullOrEmpty(configured))
        {
            if (File.Exists(configured))
            {
                return new(Path.GetFullPath(configured), null, null);
            }

            var onPath = configured.IndexOfAny(['/', '\\']) < 0 ? OnPath(configured, directories) : null;
            return onPath is not null ? new(onPath, null, null) : new(null, $"{BrowserVariable} points to {configured}, which does not exist.", null);
        }

        var found = BrowserNames.Select(name => OnPath(name, directories)).FirstOrDefault(p => p is not null);
        if (found is not null)
        {
            return new(found, null, null);
        }

        var none = $"no headless browser: {BrowserVariable} is not set and none of {string.Join(", ", BrowserNames)} is on PATH";
        return ci
            ? new(null, $"{none}, and CI is set: CI must install chromium-headless-shell (.ci/run does: apt-get install -y --no-install-recommends chromium-headless-shell).", null)
            : new(null, null, $"{none}. Install it (apt-get install chromium-headless-shell) or set {BrowserVariable} to a Chromium or Chrome executable.");
    }

    private static string? OnPath(string name, IEnumerable<string> directories)
    {
        foreach (var directory in directories)
        {
            foreach (var candidate in OperatingSystem.IsWindows() ? [Path.Combine(directory, name + ".exe")] : new[] { Path.Combine(directory, name) })
            {
                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    /// <summary>Writes the page to the temp dir, screenshots it with the browser (killed after 60 s) and decodes the PNG.</summary>
    private async Task<PngImage> Screenshot(string browser, string html, string name)
    {
        var htmlPath = Path.Combine(_dir, name + ".html");
        var pngPath = Path.Combine(_dir, name + ".png");
        await File.WriteAllTextAsync(htmlPath, html);
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--force-device-scale-factor=1", $"--user-data-dir={Path.Combine(_dir, name + "-profile")}",
            $"--screenshot={pngPath}", "--window-size=1200,1600", new Uri(htmlPath).AbsoluteUri,
        ];
        var commandLine = string.Join(' ', arguments.Prepend(browser).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        output.WriteLine(commandLine);

        var start = new ProcessStartInfo(browser) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {browser}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the browser did not finish within {Timeout.TotalSeconds:0} s and was killed.\nCommand: {commandLine}\nstderr:\n{await Drain(stderr)}");
        }

        await Drain(stdout);
        var errors = await Drain(stderr);
        if (process.ExitCode != 0 || !File.Exists(pngPath))
        {
            Assert.Fail($"the browser exited with code {process.ExitCode}{(File.Exists(pngPath) ? string.Empty : " and wrote no screenshot")}.\nCommand: {commandLine}\nstderr:\n{errors}");
        }

        return PngImage.Decode(await File.ReadAllBytesAsync(pngPath));
    }

    /// <summary>A stream's text, without waiting forever on a helper process that still holds the pipe.</summary>
    private static async Task<string> Drain(Task<string> reading)
    {
        try
        {
            return await reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            return "(the output was still open 10 s after the browser exited)";
        }
    }

    private static bool Near(Rgb a, Rgb b) => Math.Abs(a.R - b.R) <= Tolerance && Math.Abs(a.G - b.G) <= Tolerance && Math.Abs(a.B - b.B) <= Tolerance;

    private static Rgb At(PngImage image, int x, int y)
    {
        var (r, g, b) = image[x, y];
        return new(r, g, b);
    }

    private static List<(int X, int Y)> Matching(PngImage image, Rgb colour)
    {
        var found = new List<(int X, int Y)>();
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (Near(At(image, x, y), colour))
                {
                    found.Add((x, y));
                }
            }
        }

        return found;
    }

    /// <summary>Whether a pixel within <paramref name="radius"/> of (x, y) is close to the colour.</summary>
    private static bool Any(PngImage image, int x, int y, int radius, Rgb colour)
    {
        for (var j = Math.Max(0, y - radius); j <= Math.Min(image.Height - 1, y + radius); j++)
        {
            for (var i = Math.Max(0, x - radius); i <= Math.Min(image.Width - 1, x + radius); i++)
            {
                if (Near(At(image, i, j), colour))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Top-left corners of solid 4×4 blocks close to #444: the tier squares' insides. Text is black at its core and only
    /// grey at its anti-aliased edges, so it makes no such block.
    /// </summary>
    private static List<(int X, int Y)> DarkBlocks(PngImage image)
    {
        var blocks = new List<(int X, int Y)>();
        for (var y = 0; y + 4 <= image.Height; y++)
        {
            for (var x = 0; x + 4 <= image.Width; x++)
            {
                var solid = true;
                for (var j = 0; j < 4 && solid; j++)
                {
                    for (var i = 0; i < 4 && solid; i++)
                    {
                        solid = Near(At(image, x + i, y + j), Dark);
                    }
                }

                if (solid)
                {
                    blocks.Add((x, y));
                }
            }
        }

        return blocks;
    }

    /// <summary>Encodes a PNG, row y with filter type y % 5, for the decoder's test.</summary>
    private static byte[] Png(int width, int height, byte colourType, byte[][] rows)
    {
        var bpp = colourType switch { 2 => 3, 6 => 4, _ => 1 };
        var raw = new MemoryStream();
        var previous = new byte[width * bpp];
        for (var y = 0; y < height; y++)
        {
            var filter = (byte)(y % 5);
            raw.WriteByte(filter);
            var row = rows[y];
            for (var i = 0; i < row.Length; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                var p = a + b - c;
                var paeth = Math.Abs(p - a) <= Math.Abs(p - b) && Math.Abs(p - a) <= Math.Abs(p - c) ? a : Math.Abs(p - b) <= Math.Abs(p - c) ? b : c;
                raw.WriteByte((byte)(row[i] - filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, _ => paeth }));
            }

            previous = row;
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw.ToArray());
        }

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, colourType);
        Chunk(png, "IHDR", header);
        var data = compressed.ToArray();
        Chunk(png, "IDAT", data[..(data.Length / 2)]); // split, as a decoder must concatenate IDATs
        Chunk(png, "IDAT", data[(data.Length / 2)..]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        var crc = ~0u;
        foreach (var value in typeAndData)
        {
            crc ^= value;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        var crcBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crcBytes, ~crc);
        png.Write(crcBytes);
    }

    private readonly record struct Rgb(int R, int G, int B);
}
