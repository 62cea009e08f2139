package io.daxrmap.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A text file read as UTF-8 a line at a time, so that bytes that are not UTF-8 are named by their line exactly: a
 * decoding reader decodes ahead of the lines it has returned, and reports a bad byte while an earlier line is read.
 * Lines end at {@code '\n'}, whose byte no multi-byte UTF-8 sequence holds.
 */
public final class Utf8LineReader extends Reader
{
    private final InputStream in;
    private final String name;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private CharBuffer decoded = CharBuffer.allocate(0);
    private long lines;
    private boolean end;

    /**
     * @param in   the bytes.
     * @param name the input's name for messages.
     */
    public Utf8LineReader(final InputStream in, final String name)
    {
        this.in = in;
        this.name = name;
    }

    /**
     * Open a file.
     *
     * @param file the file; its name as given appears in messages.
     * @return the reader.
     * @throws IOException if the file cannot be opened.
     */
    public static Utf8LineReader open(final Path file) throws IOException
    {
        return new Utf8LineReader(Files.newInputStream(file), file.toString());
    }

    @Override
    public int read(final char[] buffer, final int offset, final int length) throws IOException
    {
        if (length == 0)
        {
            return 0;
        }
        while (!decoded.hasRemaining())
        {
            if (end || !nextLine())
            {
                return -1;
            }
        }
        final int n = Math.min(length, decoded.remaining());
        decoded.get(buffer, offset, n);
        return n;
    }

    /** Decode the next line, its {@code '\n'} included; false at the end of the input. */
    private boolean nextLine() throws IOException
    {
        int size = 0;
        boolean newline = false;
        while (!newline)
        {
            if (position == limit)
            {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0)
                {
                    limit = 0;
                    end = true;
                    break;
                }
            }
            int at = position;
            while (at < limit && buffer[at] != '\n')
            {
                at++;
            }
            newline = at < limit;
            final int n = (newline ? at + 1 : at) - position;
            if (newline && size == 0)
            {
                // the whole line in the buffer, the common case: decoded where it lies
                position += n;
                return decode(ByteBuffer.wrap(buffer, position - n, n));
            }
            if (size + n > line.length)
            {
                line = Arrays.copyOf(line, Math.max(line.length * 2, size + n));
            }
            System.arraycopy(buffer, position, line, size, n);
            size += n;
            position += n;
        }
        if (size == 0)
        {
            return false;
        }
        return decode(ByteBuffer.wrap(line, 0, size));
    }

    private boolean decode(final ByteBuffer bytes) throws IOException
    {
        lines++;
        final int start = bytes.position();
        try
        {
            decoded = decoder.reset().decode(bytes);
        }
        catch (final CharacterCodingException ex)
        {
            throw new FormatException(name, lines, null, "not UTF-8 at byte " + (bytes.position() - start + 1) +
                " of the line", ex);
        }
        return true;
    }

    @Override
    public void close() throws IOException
    {
        in.close();
    }
}
