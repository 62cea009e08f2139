package io.daxrmap.source;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parsing behind {@link MountRoot} and {@link Capabilities}: mountinfo fields with octal escapes, optional fields
 * and bytes that are no UTF-8, the effective capability mask, and glibc's {@code dev_t} split.
 */
class MountRootTest
{
    @Test
    void shouldReadMountPointsAndTypesFromMountInfo()
    {
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw",
            "35 22 7:0 / /tmp/a\\040b\\134c rw,noatime shared:5 master:3 - xfs /dev/loop0 rw,attr2",
            "36 22 7:0 /data /tmp/view rw - xfs /dev/loop0 rw",
            ""));
        assertEquals(3, mounts.size());
        assertMount(22, 1, "/", "ext4", mounts.get(0));
        assertMount(35, 22, "/tmp/a b\\c", "xfs", mounts.get(1));
        assertMount(36, 22, "/tmp/view", "xfs", mounts.get(2));
    }

    @Test
    void shouldUndoEveryEscapeTheKernelWritesNextToRawBytes()
    {
        // The kernel escapes space, tab, newline and backslash, and passes bytes >= 0x80 through as they are.
        final byte[] raw = {(byte)0xFF, (byte)0x80};
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(concat(
            bytes("40 22 7:1 / /tmp/sp\\040tab\\011nl\\012bs\\134"), raw, bytes("\\040end rw - xfs /dev/loop1 rw",
            "41 22 7:2 / /tmp/not\\08escape\\ rw - xfs /dev/loop2 rw")));
        assertEquals(2, mounts.size());
        assertArrayEquals(concat(bytes("/tmp/sp tab\tnl\nbs\\"), raw, bytes(" end")), mounts.get(0).point());
        assertMount(40, 22, "/tmp/sp tab\tnl\nbs\\\uFFFD\uFFFD end", "xfs", mounts.get(0));
        assertMount(41, 22, "/tmp/not\\08escape\\", "xfs", mounts.get(1));
    }

    @Test
    void shouldReadMountInfoWithANonUtf8MountPointElsewhere()
    {
        final byte[] text = concat(bytes("22 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw",
            "50 22 0:60 / /tmp/x/bad"), new byte[] {(byte)0xFF, (byte)0xC3},
            bytes(" rw - tmpfs none rw", "51 22 7:0 / /mnt/data rw - xfs /dev/loop0 rw", ""));
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(text);
        assertEquals(3, mounts.size());
        assertArrayEquals(concat(bytes("/tmp/x/bad"), new byte[] {(byte)0xFF, (byte)0xC3}), mounts.get(1).point());
        final MountRoot.Mount root = MountRoot.mountAt(mounts, bytes("/mnt/data"));
        assertEquals(51, root.id());
        assertEquals("xfs", root.type());
        assertEquals(Set.of(), MountRoot.nestedMounts(mounts, root, StandardCharsets.UTF_8));
    }

    @Test
    void shouldMatchAMountPointByItsBytes()
    {
        final byte[] text = concat(bytes("22 1 259:2 / / rw - ext4 /dev/sda1 rw", "51 22 7:0 / /mnt/d"),
            new byte[] {(byte)0xE9}, bytes(" rw - xfs /dev/loop0 rw", "52 51 0:61 / /mnt/d"), new byte[] {(byte)0xE9},
            bytes("/sub\\040dir rw - tmpfs none rw", ""));
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(text);
        assertNull(MountRoot.mountAt(mounts, "/mnt/d\u00e9".getBytes(StandardCharsets.UTF_8)),
            "the UTF-8 spelling of the name is another path");
        final MountRoot.Mount root = MountRoot.mountAt(mounts, concat(bytes("/mnt/d"), new byte[] {(byte)0xE9}));
        assertEquals(51, root.id());
        assertEquals(Set.of("sub dir"), MountRoot.nestedMounts(mounts, root, StandardCharsets.UTF_8));
    }

    @Test
    void shouldTestCapSysAdminInTheEffectiveSet()
    {
        assertTrue(Capabilities.hasEffective("Name:\tjava\nCapPrm:\t0\nCapEff:\t000001fffeffffff\n",
            Capabilities.CAP_SYS_ADMIN));
        assertFalse(Capabilities.hasEffective("CapPrm:\t000001fffeffffff\nCapEff:\t000001fffedfffff\n",
            Capabilities.CAP_SYS_ADMIN));
        assertFalse(Capabilities.hasEffective("CapEff:\t0000000000000000\n", Capabilities.CAP_SYS_ADMIN));
        assertFalse(Capabilities.hasEffective("Name:\tjava\n", Capabilities.CAP_SYS_ADMIN));
    }

    @Test
    void shouldSplitGlibcDeviceNumbers()
    {
        final long dev = (259L << 8) | 3 | ((0x12345L & ~0xFFL) << 12) | (0x1000L << 32);
        assertEquals(259 | 0x1000, MountRoot.major(dev));
        assertEquals(0x12345 & ~0xFF | 3, MountRoot.minor(dev));
        assertEquals(7, MountRoot.major(0x700));
        assertEquals(1, MountRoot.minor(0x701));
    }

    private static void assertMount(final int id, final int parentId, final String point, final String type,
        final MountRoot.Mount mount)
    {
        assertEquals(id, mount.id());
        assertEquals(parentId, mount.parentId());
        assertEquals(point, new String(mount.point(), StandardCharsets.UTF_8));
        assertEquals(type, mount.type());
    }

    /** The lines joined with newlines, as UTF-8. */
    private static byte[] bytes(final String... lines)
    {
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
