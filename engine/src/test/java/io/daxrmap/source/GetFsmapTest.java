package io.daxrmap.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GETFSMAP's layout constants and failures; its answers are checked on real filesystems by {@link XfsSourceTest}
 * and {@link Ext4FiemapWalkerTest}.
 */
class GetFsmapTest
{
    @Test
    void shouldUseTheHeadersIoctlNumbersAndSizesWhenBuildingRequests()
    {
        assertEquals(0xc0c0583bL, LibC.FS_IOC_GETFSMAP);
        assertEquals(0xc020660bL, LibC.FS_IOC_FIEMAP);
        assertEquals(64, GetFsmap.FSMAP_LENGTH);
        assertEquals(192, GetFsmap.HEAD_LENGTH);
        assertEquals(64, GetFsmap.HEAD_KEYS_OFFSET);
        assertEquals(32, FiemapWalker.FIEMAP_LENGTH);
        assertEquals(56, FiemapWalker.FIEMAP_EXTENT_LENGTH);
        assertEquals(40, FiemapWalker.FE_FLAGS_OFFSET);
    }

    @Test
    void shouldNamePathAndErrnoWhenThePathDoesNotExist(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("missing");
        try (GetFsmap getFsmap = new GetFsmap())
        {
            final LiveSourceException ex = assertThrows(LiveSourceException.class,
                () -> getFsmap.readAll(missing, (a, b, c, d, e, f, g) -> { }));
            assertEquals(LibC.ENOENT, ex.errno());
            assertEquals("cannot open for GETFSMAP: path=" + missing + " errno=2 (No such file or directory)",
                ex.getMessage());
        }
    }

    @Test
    void shouldNamePathAndErrnoWhenTheFilesystemHasNoGetfsmap() throws IOException
    {
        final Path proc = Path.of("/proc");
        assertFalse(GetFsmap.isSupported(proc));
        try (GetFsmap getFsmap = new GetFsmap())
        {
            final LiveSourceException ex = assertThrows(LiveSourceException.class,
                () -> getFsmap.readAll(proc, (a, b, c, d, e, f, g) -> { }));
            assertTrue(ex.errno() == LibC.ENOTTY || ex.errno() == LibC.EOPNOTSUPP, ex::getMessage);
            assertTrue(ex.getMessage().startsWith("GETFSMAP failed: path=/proc errno="), ex::getMessage);
            assertTrue(ex.getMessage().endsWith("the filesystem does not support GETFSMAP (XFS and ext4 do)"),
                ex::getMessage);
        }
    }

    @Test
    void shouldRejectBadBatchSizesAndRanges()
    {
        assertThrows(IllegalArgumentException.class, () -> new GetFsmap(0));
        assertThrows(IllegalArgumentException.class, () -> new GetFsmap(GetFsmap.MAX_BATCH + 1));
        try (GetFsmap getFsmap = new GetFsmap(1))
        {
            assertThrows(IllegalArgumentException.class,
                () -> getFsmap.readRange(Path.of("/"), 0, 10, 9, (a, b, c, d, e, f, g) -> { }));
        }
    }
}
