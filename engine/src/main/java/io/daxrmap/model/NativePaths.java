package io.daxrmap.model;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Paths as the bytes the kernel takes: the encoding the JDK uses for file names ({@code sun.jnu.encoding}), so that
 * the kernel sees the name the JDK listed, also when a name is not in that encoding.
 */
public final class NativePaths
{
    private static final Charset PATH_ENCODING = pathEncoding();

    private NativePaths()
    {
    }

    /**
     * A path as the NUL-terminated bytes {@code open(2)} takes.
     *
     * @param path the path.
     * @return its bytes with a trailing NUL.
     */
    public static byte[] bytes(final Path path)
    {
        final String text = path.toString();
        if (text.indexOf('\uFFFD') < 0)
        {
            final byte[] bytes = text.getBytes(PATH_ENCODING);
            return Arrays.copyOf(bytes, bytes.length + 1);
        }
        // a name that is not UTF-8 (or one with U+FFFD itself): toString() replaced its bytes, and encoding the
        // string again would name no file. The path keeps them, and its URI percent-encodes each (absolute; a
        // directory's with a slash added)
        final String raw = path.toAbsolutePath().toUri().getRawPath();
        final int end = raw.length() > 1 && raw.endsWith("/") ? raw.length() - 1 : raw.length();
        final byte[] bytes = new byte[end + 1];
        int n = 0;
        for (int i = 0; i < end; i++)
        {
            final char c = raw.charAt(i);
            if (c == '%' && i + 2 < end)
            {
                bytes[n++] = (byte)Integer.parseInt(raw, i + 1, i + 3, 16);
                i += 2;
            }
            else
            {
                bytes[n++] = (byte)c;
            }
        }
        return Arrays.copyOf(bytes, n + 1);
    }

    /**
     * The charset the JVM decodes file names with ({@code sun.jnu.encoding}), so that bytes decoded with it give the
     * same strings as {@link Path#toString()} of the names a directory listing returns.
     *
     * @return the charset.
     */
    public static Charset charset()
    {
        return PATH_ENCODING;
    }

    private static Charset pathEncoding()
    {
        final String name = System.getProperty("sun.jnu.encoding");
        try
        {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        }
        catch (final IllegalArgumentException ex)
        {
            return StandardCharsets.UTF_8;
        }
    }
}
