package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Discovery against a fake sysfs tree laid out as drivers/nvdimm publishes it: an fsdax namespace behind a pfn
 * device with a partition, and a raw namespace.
 */
class SysfsRegionsTest
{
    private static final int PMEM0 = DeviceNumber.encode(259, 0);
    private static final int PMEM0P1 = DeviceNumber.encode(259, 1);
    private static final int PMEM1 = DeviceNumber.encode(259, 2);

    @TempDir
    Path sys;

    @Test
    void shouldFindNamespacesPfnDataOffsetsAndTheIndexedPartition() throws IOException
    {
        build();
        final Regions regions = SysfsRegions.discover(sys, device -> device == PMEM0P1);
        assertEquals(List.of(
            new Region("pmem0", 0x1_4000_0000L, 1L << 30, 0, 0x20_1000, 2048 * 512, PMEM0P1, 0x1_3F00_0000L),
            new Region("pmem1", 0x1_8000_0000L, 1L << 30, 0, 0, 0, PMEM1, 0x1_3F00_0000L)), regions.list());
        final Region pmem0 = regions.byName("pmem0");
        assertEquals(0, pmem0.deviceOffset(0x1_4000_0000L + 0x20_1000 + (1 << 20)));
    }

    @Test
    void shouldKeepTheWholeDiskWhenNoPartitionIsIndexed() throws IOException
    {
        build();
        final Region pmem0 = SysfsRegions.discover(sys, device -> false).byName("pmem0");
        assertEquals(new Region("pmem0", 0x1_4000_0000L, 1L << 30, 0, 0x20_1000, 0, PMEM0, 0x1_3F00_0000L), pmem0);
    }

    @Test
    void shouldFindNothingWithoutPmemDisks() throws IOException
    {
        assertEquals(List.of(), SysfsRegions.discover(sys, device -> true).list());
        Files.createDirectories(sys.resolve("block/sda"));
        assertEquals(List.of(), SysfsRegions.discover(sys, device -> true).list());
    }

    @Test
    void shouldLeaveSectorModeDisksOut() throws IOException
    {
        build();
        // the kernel's btt device has no resource: its sectors go through a table, and it cannot be mapped with DAX
        final Path region = sys.resolve("devices/ndbus0/region0");
        write(region.resolve("namespace0.2/resource"), "0x1c0000000");
        write(region.resolve("namespace0.2/size"), "1073741824");
        write(region.resolve("namespace0.2/mode"), "safe");
        write(region.resolve("btt0.2/namespace"), "namespace0.2");
        write(region.resolve("btt0.2/size"), "1070000000");
        write(region.resolve("btt0.2/sector_size"), "4096");
        final Path pmem2 = sys.resolve("block/pmem2s");
        write(pmem2.resolve("dev"), "259:3");
        Files.createSymbolicLink(pmem2.resolve("device"), region.resolve("btt0.2"));
        assertEquals(List.of("pmem0", "pmem1"),
            SysfsRegions.discover(sys, device -> false).list().stream().map(Region::name).toList());
    }

    @Test
    void shouldRefuseARootThatIsNoDirectory()
    {
        final Path missing = sys.resolve("nonexistent");
        assertEquals(missing + ": no such directory",
            assertThrows(IOException.class, () -> SysfsRegions.discover(missing, device -> true)).getMessage());
    }

    @Test
    void shouldNameTheAttributeItCannotParse() throws IOException
    {
        build();
        final Path resource = sys.resolve("devices/ndbus0/region0/namespace0.1/resource");
        Files.writeString(resource, "banana\n");
        assertEquals(resource + ": not a number: \"banana\"",
            assertThrows(IOException.class, () -> SysfsRegions.discover(sys, device -> false)).getMessage());
    }

    private void build() throws IOException
    {
        final Path region = sys.resolve("devices/ndbus0/region0");
        write(region.resolve("resource"), "0x13f000000");
        write(region.resolve("size"), "4294967296");
        write(region.resolve("namespace0.0/resource"), "0x140000000");
        write(region.resolve("namespace0.0/size"), "1073741824");
        write(region.resolve("namespace0.0/mode"), "fsdax");
        write(region.resolve("namespace0.0/holder"), "pfn0.1");
        write(region.resolve("pfn0.1/namespace"), "namespace0.0");
        write(region.resolve("pfn0.1/resource"), "0x140201000");
        write(region.resolve("pfn0.1/size"), "1071640576");
        write(region.resolve("namespace0.1/resource"), "0x180000000");
        write(region.resolve("namespace0.1/size"), "1073741824");
        write(region.resolve("namespace0.1/mode"), "raw");
        final Path pmem0 = sys.resolve("block/pmem0");
        write(pmem0.resolve("dev"), "259:0");
        Files.createSymbolicLink(pmem0.resolve("device"), region.resolve("pfn0.1"));
        write(pmem0.resolve("badblocks"), "");
        write(pmem0.resolve("pmem0p1/dev"), "259:1");
        write(pmem0.resolve("pmem0p1/start"), "2048");
        write(pmem0.resolve("pmem0p1/partition"), "1");
        final Path pmem1 = sys.resolve("block/pmem1");
        write(pmem1.resolve("dev"), "259:2");
        Files.createSymbolicLink(pmem1.resolve("device"), region.resolve("namespace0.1"));
    }

    private static void write(final Path file, final String text) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text + "\n");
    }
}
