package io.daxrmap.cli;

import io.daxrmap.source.XfsGeometry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * An XFS with a realtime device is not walked with FIEMAP: its realtime files' extents are offsets on that device.
 * This machine's kernel mounts no realtime XFS (ENOSYS), so the decision is checked on geometries as
 * {@code XFS_IOC_FSGEOMETRY} gives them: {@code mkfs.xfs -r rtdev=...} sets rtblocks.
 */
class RealtimeRefusalTest
{
    @Test
    void shouldRefuseAFiemapWalkOfAnXfsWithARealtimeDeviceOnly()
    {
        assertEquals("an XFS with a realtime device (16384 blocks): FIEMAP gives a realtime file's extents on that " +
            "device, which a forward-map index cannot tell from the data device's",
            IndexCommand.fiemapRefusal(geometry(16384)));
        assertNull(IndexCommand.fiemapRefusal(geometry(0)), "no realtime device");
        assertNull(IndexCommand.fiemapRefusal(null), "not an XFS");
    }

    private static XfsGeometry geometry(final long rtBlocks)
    {
        return new XfsGeometry(4096, 16384, 4, 65536, 4096, 0, rtBlocks, 0, 0, 0);
    }
}
