package io.daxrmap.model;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
    /** A byte b that is not UTF-8 is held as the char ESCAPE_BASE | b. */
    private static final int ESCAPE_BASE = 0xdc00;

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
     * Bytes of a name as text: their UTF-8 decoded, and each byte that is not part of valid UTF-8 as the char
     * U+DC00 + the byte (a surrogate escape, as Python's {@code surrogateescape}), so that nothing is lost or replaced:
     * {@link #resolve} names the file again, and a report prints the byte back as {@code ls -b} does.
     *
     * @param bytes the bytes.
     * @param from  the first.
     * @param to    past the last.
     * @return the text.
     */
    public static String decode(final byte[] bytes, final int from, final int to)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        final CharBuffer out = CharBuffer.allocate(to - from);
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        while (true)
        {
            final CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow())
            {
                break;
            }
            for (int i = 0; i < result.length(); i++)
            {
                out.put((char)(ESCAPE_BASE | (in.get() & 0xff)));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /**
     * The last name of a path, with the bytes that are not UTF-8 kept as surrogate escapes ({@link #decode}), where
     * {@link Path#toString()} has U+FFFD for them.
     *
     * @param path a path, as a directory listing gives it.
     * @return its file name.
     */
    public static String name(final Path path)
    {
        final String text = path.getFileName().toString();
        if (text.indexOf('\uFFFD') < 0)
        {
            return text;
        }
        final byte[] bytes = bytes(path);
        final int end = bytes.length - 1; // the NUL
        int start = end;
        while (start > 0 && bytes[start - 1] != '/')
        {
            start--;
        }
        return decode(bytes, start, end);
    }

    /**
     * A path below a directory named by text that may hold surrogate escapes ({@link #decode}): the file whose name
     * has the bytes they stand for.
     *
     * @param directory the directory.
     * @param relative  the path below it.
     * @return the path.
     */
    public static Path resolve(final Path directory, final String relative)
    {
        if (relative.chars().noneMatch(NativePaths::isEscape))
        {
            return directory.resolve(relative);
        }
        // a Path holds bytes: a file URI's percent escapes are taken as they are
        final byte[] base = bytes(directory.toAbsolutePath());
        final StringBuilder uri = new StringBuilder("file://");
        percentEncode(base, 0, base.length - 1, uri);
        if (uri.charAt(uri.length() - 1) != '/')
        {
            uri.append('/');
        }
        final byte[] tail = encode(relative);
        percentEncode(tail, 0, tail.length, uri);
        return Path.of(URI.create(uri.toString()));
    }

    private static boolean isEscape(final int c)
    {
        return c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xff;
    }

    /** Text as bytes: UTF-8, and each surrogate escape as its byte. */
    private static byte[] encode(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
        int from = 0;
        for (int i = 0; i <= text.length(); i++)
        {
            if (i == text.length() || isEscape(text.charAt(i)))
            {
                out.writeBytes(text.substring(from, i).getBytes(StandardCharsets.UTF_8));
                if (i < text.length())
                {
                    out.write(text.charAt(i) & 0xff);
                }
                from = i + 1;
            }
        }
        return out.toByteArray();
    }

    private static void percentEncode(final byte[] bytes, final int from, final int to, final StringBuilder out)
    {
        for (int i = from; i < to; i++)
        {
            final int b = bytes[i] & 0xff;
            if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '/' || b == '-' ||
                b == '.' || b == '_')
            {
                out.append((char)b);
            }
            else
            {
                out.append('%').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
        }
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
