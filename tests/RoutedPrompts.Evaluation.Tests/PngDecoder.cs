using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RoutedPrompts.Evaluation.Tests;

/// <summary>
/// A minimal PNG decoder for the screenshot test: 8-bit RGB or RGBA (colour types 2 and 6), not interlaced. Anything
/// else is refused with a message saying what the file is. CRCs are not checked.
/// </summary>
internal sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly byte[] _rgba;

    private PngImage(int width, int height, byte[] rgba) => (Width, Height, _rgba) = (width, height, rgba);

    public int Width { get; }

    public int Height { get; }

    /// <summary>The pixel at (x, y), alpha dropped (a screenshot is opaque).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = ((y * Width) + x) * 4;
            return (_rgba[i], _rgba[i + 1], _rgba[i + 2]);
        }
    }

    public static PngImage Decode(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length < Signature.Length || !png.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("not a PNG file (bad signature)");
        }

        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        var sawHeader = false;
        var sawEnd = false;
        for (var at = Signature.Length; !sawEnd;)
        {
            if (at + 8 > png.Length)
            {
                throw new InvalidDataException($"truncated PNG: chunk header at byte {at} runs past the end ({png.Length} bytes) before IEND");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            if (length < 0 || (long)at + 12 + length > png.Length)
            {
                throw new InvalidDataException($"truncated PNG: chunk {type} at byte {at} claims {length} bytes");
            }

            var data = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    var (bitDepth, colorType, compression, filter, interlace) = (data[8], data[9], data[10], data[11], data[12]);
                    channels = colorType switch
                    {
                        2 => 3,
                        6 => 4,
                        _ => throw new NotSupportedException($"PNG colour type {colorType} is not supported (only 2, RGB, and 6, RGBA)"),
                    };
                    if (bitDepth != 8)
                    {
                        throw new NotSupportedException($"PNG bit depth {bitDepth} is not supported (only 8)");
                    }

                    if (compression != 0 || filter != 0 || interlace != 0)
                    {
                        throw new NotSupportedException($"PNG compression {compression}, filter method {filter}, interlace {interlace} is not supported (only 0, 0, 0)");
                    }

                    if (width <= 0 || height <= 0)
                    {
                        throw new InvalidDataException($"PNG has an empty size {width}×{height}");
                    }

                    sawHeader = true;
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    break; // ancillary chunks (sRGB, pHYs, ...) do not matter here
            }

            at += 12 + length;
        }

        if (!sawHeader)
        {
            throw new InvalidDataException("PNG has no IHDR chunk");
        }

        var stride = width * channels;
        var raw = new byte[(long)(stride + 1) * height];
        idat.Position = 0;
        using (var inflate = new ZLibStream(idat, CompressionMode.Decompress))
        {
            inflate.ReadExactly(raw);
        }

        var rgba = new byte[width * height * 4];
        var previous = new byte[stride];
        var current = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var row = raw.AsSpan(y * (stride + 1), stride + 1);
            Unfilter(row[0], row[1..], previous, current, channels, y);
            for (var x = 0; x < width; x++)
            {
                var o = (y * width + x) * 4;
                rgba[o] = current[x * channels];
                rgba[o + 1] = current[(x * channels) + 1];
                rgba[o + 2] = current[(x * channels) + 2];
                rgba[o + 3] = channels == 4 ? current[(x * channels) + 3] : (byte)255;
            }

            (previous, current) = (current, previous);
        }

        return new PngImage(width, height, rgba);
    }

    private static void Unfilter(byte filter, ReadOnlySpan<byte> line, byte[] previous, byte[] current, int bpp, int y)
    {
        for (var i = 0; i < line.Length; i++)
        {
            int a = i >= bpp ? current[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            current[i] = (byte)(line[i] + filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => Paeth(a, b, c),
                _ => throw new InvalidDataException($"PNG row {y} has filter type {filter} (valid: 0–4)"),
            });
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
