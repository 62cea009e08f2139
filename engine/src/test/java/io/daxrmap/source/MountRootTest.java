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
 * and bytes that are no UTF-8, the root's mount and the submounts a walk must skip (not those hidden under an
 * overmount), the effective capability mask, and glibc's {@code dev_t} split.
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
        assertEquals("/", new String(mounts.get(1).root(), StandardCharsets.UTF_8));
        assertEquals("/data", new String(mounts.get(2).root(), StandardCharsets.UTF_8), "a bind mount of /data");
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
    void shouldLeaveOutAMountHiddenUnderTheRoot()
    {
        // tmpfs on /tmp/x/ov/dir, then the XFS over /tmp/x/ov: the XFS's own dir is what the walk sees.
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "60 22 0:70 / /tmp/x/ov/dir rw - tmpfs none rw",
            "61 22 7:3 / /tmp/x/ov rw - xfs /dev/loop3 rw",
            "62 61 0:71 / /tmp/x/ov/mnt rw - tmpfs none rw",
            ""));
        final MountRoot.Mount root = MountRoot.mountAt(mounts, bytes("/tmp/x/ov"));
        assertEquals(61, root.id());
        assertEquals(Set.of("mnt"), MountRoot.nestedMounts(mounts, root, StandardCharsets.UTF_8));
    }

    @Test
    void shouldTakeTheLastMountAtTheRootsPathAndOnlyItsSubmounts()
    {
        // Two filesystems stacked on /mnt: the first one's submount is hidden with it.
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "70 22 7:4 / /mnt rw - ext4 /dev/loop4 rw",
            "71 70 0:72 / /mnt/old rw - tmpfs none rw",
            "72 70 7:5 / /mnt rw - xfs /dev/loop5 rw",
            "73 72 0:73 / /mnt/new rw - tmpfs none rw",
            ""));
        final MountRoot.Mount root = MountRoot.mountAt(mounts, bytes("/mnt"));
        assertEquals(72, root.id());
        assertEquals("xfs", root.type());
        assertEquals(Set.of("new"), MountRoot.nestedMounts(mounts, root, StandardCharsets.UTF_8));
    }

    @Test
    void shouldSkipSubmountsOfSubmountsAndStackedSubmountsButNotThoseHiddenUnderTheRoot()
    {
        // e and e/f were mounted before the XFS over /data and are hidden under it; a, a/b and c are on it.
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "78 22 0:78 / /data/e rw - tmpfs none rw",
            "79 78 0:79 / /data/e/f rw - tmpfs none rw",
            "80 22 7:6 / /data rw - xfs /dev/loop6 rw",
            "81 80 0:80 / /data/a rw - tmpfs none rw",
            "82 81 0:81 / /data/a/b rw - tmpfs none rw",
            "83 80 0:82 / /data/c rw - tmpfs none rw",
            "84 83 0:83 / /data/c rw - tmpfs none rw",
            "85 22 0:84 / /database rw - tmpfs none rw",
            ""));
        final MountRoot.Mount root = MountRoot.mountAt(mounts, bytes("/data"));
        assertEquals(Set.of("a", "a/b", "c"), MountRoot.nestedMounts(mounts, root, StandardCharsets.UTF_8));
        // From /, the hidden mounts are below the /data mount point, which the walk does not enter anyway.
        assertEquals(Set.of("data", "data/a", "data/a/b", "data/c", "data/e", "data/e/f", "database"),
            MountRoot.nestedMounts(mounts, MountRoot.mountAt(mounts, bytes("/")), StandardCharsets.UTF_8));
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

    @Test
    void shouldNotTakeAMountHiddenUnderAnOvermountOfItsParentForTheMountAtItsPath()
    {
        // tmpfs on x, tmpfs on x/y, then a tmpfs over x: x/y is the last tmpfs's own directory, or nothing
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "90 22 0:90 / /tmp/rvh/x rw - tmpfs none rw",
            "91 90 0:91 / /tmp/rvh/x/y rw - tmpfs none rw",
            "92 90 0:92 / /tmp/rvh/x rw - tmpfs none rw",
            "93 92 0:93 / /tmp/rvh/x/z rw - tmpfs none rw",
            ""));
        assertNull(MountRoot.mountAt(mounts, bytes("/tmp/rvh/x/y")));
        assertEquals(92, MountRoot.mountAt(mounts, bytes("/tmp/rvh/x")).id());
        assertEquals(93, MountRoot.mountAt(mounts, bytes("/tmp/rvh/x/z")).id());
        assertEquals(22, MountRoot.mountAt(mounts, bytes("/")).id());
    }

    @Test
    void shouldTakeTheMountOnTopWhereTheKernelTuckedANewOneUnderIt()
    {
        // propagation may mount 95 under 94 at the same point: 94's parent becomes 95, and 94 stays on top
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "94 95 0:94 / /mnt rw - tmpfs none rw",
            "96 94 0:96 / /mnt/a rw - tmpfs none rw",
            "97 95 0:97 / /mnt/b rw - tmpfs none rw",
            "95 22 7:9 / /mnt rw - xfs /dev/loop9 rw",
            ""));
        assertEquals(94, MountRoot.mountAt(mounts, bytes("/mnt")).id());
        assertEquals(96, MountRoot.mountAt(mounts, bytes("/mnt/a")).id());
        assertNull(MountRoot.mountAt(mounts, bytes("/mnt/b")), "on the tucked mount, under the one on top");
    }

    @Test
    void shouldNotTakeAMountUnderASiblingMountedAboveIt()
    {
        // tmpfs on /srv/a/b, then an XFS on /srv/a, both on /: /srv/a/b is the XFS's directory
        final List<MountRoot.Mount> mounts = MountRoot.parseMountInfo(bytes(
            "22 1 259:2 / / rw - ext4 /dev/sda1 rw",
            "98 22 0:98 / /srv/a/b rw - tmpfs none rw",
            "99 22 7:10 / /srv/a rw - xfs /dev/loop10 rw",
            "100 22 0:100 / /srv/ab rw - tmpfs none rw",
            ""));
        assertNull(MountRoot.mountAt(mounts, bytes("/srv/a/b")));
        assertEquals(99, MountRoot.mountAt(mounts, bytes("/srv/a")).id());
        assertEquals(100, MountRoot.mountAt(mounts, bytes("/srv/ab")).id(), "a name that only starts alike");
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
