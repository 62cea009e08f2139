package io.daxrmap.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Draws a device as an SVG picture: the device wrapped into rows of pixels, each pixel coloured by what holds its
 * bytes (the busiest owner class, free only where nothing else is), with a byte axis beside every row and a legend.
 */
final class DeviceMapDrawing
{
    private static final int ROWS = 16;
    private static final int COLUMNS = 1024;
    private static final int ROW_HEIGHT = 22;
    private static final int ROW_GAP = 8;
    private static final int LEFT = 120;
    private static final int TOP = 40;
    private static final int LEGEND_ROW = 20;

    private final long size;
    private final long bytesPerBin;
    private final long[][] bins;

    DeviceMapDrawing(final long size)
    {
        this.size = size;
        this.bytesPerBin = Math.max(1, (size + (long)ROWS * COLUMNS - 1) / ((long)ROWS * COLUMNS));
        this.bins = new long[ROWS * COLUMNS][DeviceStats.ByteClass.values().length];
    }

    void add(final long deviceOffset, final long length, final DeviceStats.ByteClass byteClass)
    {
        long at = deviceOffset;
        final long end = deviceOffset + length;
        while (at < end)
        {
            final int bin = (int)Math.min(bins.length - 1, at / bytesPerBin);
            final long binEnd = (bin + 1L) * bytesPerBin;
            final long stop = Math.min(end, binEnd);
            bins[bin][byteClass.ordinal()] += stop - at;
            at = stop == at ? end : stop;
        }
    }

    void write(final Path file, final String title) throws IOException
    {
        final DeviceStats.ByteClass[] classes = DeviceStats.ByteClass.values();
        final int legendRows = (classes.length + 4) / 5;
        final int height = TOP + ROWS * (ROW_HEIGHT + ROW_GAP) + 30 + legendRows * LEGEND_ROW;
        final int width = LEFT + COLUMNS + 48;
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            out.write("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height +
                "\" font-family=\"sans-serif\" font-size=\"12\">\n");
            out.write("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            out.write("<text x=\"10\" y=\"22\" font-size=\"15\">" + escape(title) + ": " + human(size) +
                ", " + human(bytesPerBin) + " per pixel</text>\n");
            for (int row = 0; row < ROWS; row++)
            {
                final int y = TOP + row * (ROW_HEIGHT + ROW_GAP);
                final long rowStart = (long)row * COLUMNS * bytesPerBin;
                if (rowStart >= size)
                {
                    break;
                }
                out.write("<text x=\"" + (LEFT - 8) + "\" y=\"" + (y + ROW_HEIGHT - 6) +
                    "\" text-anchor=\"end\">" + human(rowStart) + "</text>\n");
                int column = 0;
                while (column < COLUMNS)
                {
                    final int bin = row * COLUMNS + column;
                    if ((long)bin * bytesPerBin >= size)
                    {
                        break;
                    }
                    final int shade = dominant(bin);
                    int next = column + 1;
                    while (next < COLUMNS && (long)(row * COLUMNS + next) * bytesPerBin < size &&
                        dominant(row * COLUMNS + next) == shade)
                    {
                        next++;
                    }
                    out.write("<rect x=\"" + (LEFT + column) + "\" y=\"" + y + "\" width=\"" + (next - column) +
                        "\" height=\"" + ROW_HEIGHT + "\" fill=\"" + classes[shade].color + "\"/>\n");
                    column = next;
                }
            }
            final int axisY = TOP + ROWS * (ROW_HEIGHT + ROW_GAP);
            for (int tick = 0; tick <= 4; tick++)
            {
                final int x = LEFT + tick * COLUMNS / 4;
                out.write("<line x1=\"" + x + "\" y1=\"" + (axisY - ROW_GAP) + "\" x2=\"" + x + "\" y2=\"" +
                    (axisY - 2) + "\" stroke=\"black\"/>\n");
                out.write("<text x=\"" + x + "\" y=\"" + (axisY + 10) + "\" text-anchor=\"middle\">+" +
                    human((long)tick * COLUMNS / 4 * bytesPerBin) + "</text>\n");
            }
            for (int i = 0; i < classes.length; i++)
            {
                final int x = 10 + (i % 5) * 210;
                final int y = axisY + 24 + (i / 5) * LEGEND_ROW;
                out.write("<rect x=\"" + x + "\" y=\"" + (y - 11) + "\" width=\"14\" height=\"14\" fill=\"" +
                    classes[i].color + "\" stroke=\"#333\"/>\n");
                out.write("<text x=\"" + (x + 20) + "\" y=\"" + y + "\">" + escape(classes[i].label) + "</text>\n");
            }
            out.write("</svg>\n");
        }
    }

    private int dominant(final int bin)
    {
        int best = DeviceStats.ByteClass.FREE.ordinal();
        long bestBytes = 0;
        for (int c = 0; c < bins[bin].length; c++)
        {
            if (c != DeviceStats.ByteClass.FREE.ordinal() && bins[bin][c] > bestBytes)
            {
                best = c;
                bestBytes = bins[bin][c];
            }
        }
        return best;
    }

    static String human(final long bytes)
    {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value == Math.rint(value) ? String.format("%d %s", (long)value, units[unit]) :
            String.format("%.1f %s", value, units[unit]);
    }

    /**
     * Text as XML 1.0 character data: the markup characters escaped, and the characters XML 1.0 cannot hold at all
     * (controls but tab, newline and return, U+FFFE, U+FFFF, unpaired surrogates), which a path may have, replaced by
     * U+FFFD, as no escape can write them.
     */
    static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '&')
            {
                out.append("&amp;");
            }
            else if (c == '<')
            {
                out.append("&lt;");
            }
            else if (c == '>')
            {
                out.append("&gt;");
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() &&
                Character.isLowSurrogate(text.charAt(i + 1)))
            {
                out.append(c).append(text.charAt(++i));
            }
            else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == '\uFFFE' || c == '\uFFFF' ||
                Character.isSurrogate(c))
            {
                out.append('\uFFFD');
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }
}
