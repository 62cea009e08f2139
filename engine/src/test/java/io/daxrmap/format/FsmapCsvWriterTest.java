package io.daxrmap.format;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FsmapCsvWriterTest
{
    @Test
    void shouldPrintXfsIoLinesWhenRecordsAreWritten() throws IOException
    {
        final StringBuilder out = new StringBuilder();
        final FsmapCsvWriter writer = new FsmapCsvWriter(out);
        writer.onRecord(7, 0, 0, 4096, Owner.XFS_FS, 0, MappingFlags.SPECIAL_OWNER);
        writer.onRecord(7, 0, 4096, 8192, Owner.data(131), 1L << 35, MappingFlags.SHARED | MappingFlags.UNWRITTEN);
        writer.onRecord(7, 0, 12288, 4096, Owner.attrBmbt(132), 123, 0);
        writer.onRecord(259, 3, 16384, 512, Owner.METADATA, 0, 0);

        assertEquals(FsmapCsv.HEADER + "\n" +
            "0,7,0,0,7,special_88:1,,,8\n" +
            "1,7,0,8,23,inode_131_data,67108864,67108879,16\n" +
            "2,7,0,24,31,inode_132_attr_bmbt,,,8\n" +
            "3,259,3,32,32,special_0:3,,,1\n", out.toString());
        assertEquals(4, writer.records());
    }

    @Test
    void shouldPrintNothingWhenThereAreNoRecords()
    {
        final StringBuilder out = new StringBuilder();
        new FsmapCsvWriter(out);

        assertEquals("", out.toString());
    }

    @Test
    void shouldPrintHeaderOnceWhenXfsIoWouldPrintSeveralBatches() throws IOException
    {
        final StringBuilder out = new StringBuilder();
        final FsmapCsvWriter writer = new FsmapCsvWriter(out);
        for (int i = 0; i < 2050; i++)
        {
            writer.onRecord(7, 0, i * 4096L, 4096, Owner.FREE, 0, MappingFlags.SPECIAL_OWNER);
        }

        assertEquals(1, out.toString().lines().filter(FsmapCsv.HEADER::equals).count());
    }

    @Test
    void shouldWriteGivenUnitWhenUnitIsBytes() throws IOException
    {
        final StringBuilder out = new StringBuilder();
        new FsmapCsvWriter(out, 1).onRecord(7, 0, 100, 100, Owner.data(5), 1000, 0);

        assertEquals(FsmapCsv.HEADER + "\n0,7,0,100,199,inode_5_data,1000,1099,100\n", out.toString());
    }

    @ParameterizedTest
    @CsvSource({"100, 4096, 0", "0, 100, 0", "0, 4096, 100", "0, 0, 0", "-512, 4096, 0"})
    void shouldRejectRecordWhenNotInWholeSectors(final long deviceOffset, final long length, final long fileOffset)
    {
        final FsmapCsvWriter writer = new FsmapCsvWriter(new StringBuilder());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> writer.onRecord(7, 0, deviceOffset, length, Owner.data(5), fileOffset, 0));

        assertEquals("record not in whole units: deviceOffset=" + deviceOffset + " length=" + length +
            " fileOffset=" + fileOffset + " unit=512", ex.getMessage());
    }

    @Test
    void shouldIgnoreFileOffsetWhenOwnerHasNone() throws IOException
    {
        final StringBuilder out = new StringBuilder();
        new FsmapCsvWriter(out).onRecord(7, 0, 0, 4096, Owner.dataBmbt(5), 7, 0);

        assertEquals(FsmapCsv.HEADER + "\n0,7,0,0,7,inode_5_data_bmbt,,,8\n", out.toString());
    }
}
