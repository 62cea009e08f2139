package io.daxrmap.format;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Lines as a decoding reader gives them, and bytes that are not UTF-8 named by their own line.
 */
class Utf8LineReaderTest
{
    private static List<String> lines(final byte[] text) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new Utf8LineReader(new ByteArrayInputStream(text), "t")))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void shouldGiveTheLinesABufferedReaderGives() throws IOException
    {
        assertEquals(List.of("a", "b\u00e9", "", "c"), lines("a\r\nb\u00e9\n\nc".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), lines(new byte[0]));
        // lines longer than the reader's buffer, with a character of 3 bytes across each of its 64 KiB boundaries
        final StringBuilder longLine = new StringBuilder();
        while (longLine.length() < 200_000)
        {
            longLine.append("ab\u20ac");
        }
        final String text = "x\n" + longLine + "\n" + longLine + "\u20ac";
        assertEquals(List.of("x", longLine.toString(), longLine + "\u20ac"),
            lines(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldNameTheLineAndByteThatIsNotUtf8() throws IOException
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int i = 1; i <= 5000; i++)
        {
            text.writeBytes(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        text.writeBytes("caf".getBytes(StandardCharsets.US_ASCII));
        text.write(0xe9);
        text.writeBytes(" latin-1\nlast\n".getBytes(StandardCharsets.US_ASCII));
        // a decoding reader would have failed while the first lines were read
        assertEquals("t:5001: not UTF-8 at byte 4 of the line",
            assertThrows(FormatException.class, () -> lines(text.toByteArray())).getMessage());
    }
}
