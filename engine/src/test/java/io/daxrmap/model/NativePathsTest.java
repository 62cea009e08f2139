package io.daxrmap.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Names as bytes and back: surrogate escapes for the bytes that are not UTF-8, and the file they name found again.
 */
class NativePathsTest
{
    @TempDir
    Path temp;

    @Test
    void shouldEscapeOnlyTheBytesThatAreNotUtf8()
    {
        final byte[] bytes = {'a', (byte)0xc3, (byte)0xa9, (byte)0xff, 'b', (byte)0xe4, (byte)0xb8, 'c', (byte)0x80};
        // é decodes; 0xff and the cut sequence e4 b8 (then 'c') and a lone continuation byte are escaped one a byte
        assertEquals("a\u00e9\udcffb\udce4\udcb8c\udc80", NativePaths.decode(bytes, 0, bytes.length));
        assertEquals("\u00e9", NativePaths.decode(bytes, 1, 3));
    }

    @Test
    void shouldNameAndFindAgainFilesWhoseNamesAreNotUtf8() throws Exception
    {
        // Java cannot make such names: the shell does, in a directory whose name has a space and a percent sign
        final Path dir = Files.createDirectory(temp.resolve("a b%20c"));
        final Process shell = new ProcessBuilder("sh", "-c", "printf one > \"$(printf 'x\\377y')\" && " +
            "mkdir \"$(printf 'd\\376')\" && printf two > \"$(printf 'd\\376/\\303\\251\\200')\"")
            .directory(dir.toFile()).inheritIO().start();
        assertEquals(0, shell.waitFor());
        final List<String> names;
        try (Stream<Path> entries = Files.list(dir))
        {
            names = entries.map(NativePaths::name).sorted().toList();
        }
        assertEquals(List.of("d\udcfe", "x\udcffy"), names);
        assertEquals("one", Files.readString(NativePaths.resolve(dir, "x\udcffy")));
        final Path nested = NativePaths.resolve(dir, "d\udcfe/\u00e9\udc80");
        assertEquals("two", Files.readString(nested));
        assertEquals("\u00e9\udc80", NativePaths.name(nested));
        assertArrayEquals(("d\u00fe").getBytes(StandardCharsets.ISO_8859_1),
            java.util.Arrays.copyOfRange(NativePaths.bytes(nested.getParent()), NativePaths.bytes(dir).length,
                NativePaths.bytes(nested.getParent()).length - 1));
        assertEquals(dir.resolve("plain/name"), NativePaths.resolve(dir, "plain/name"), "no escapes: as resolve");
    }
}
