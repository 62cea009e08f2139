package io.daxrmap.format;

import java.io.IOException;

/**
 * Receives the mapping records of an fsmap text, as primitives: no object per record.
 * <p>
 * Readers call it once per record in the order of the text; writers implement it, so that a reader can feed a
 * writer directly.
 */
@FunctionalInterface
public interface FsmapRecordHandler
{
    /**
     * One mapping record, in bytes.
     *
     * @param major        major number of the device that holds the record.
     * @param minor        minor number of the device that holds the record.
     * @param deviceOffset first device byte of the record.
     * @param length       bytes in the record, positive.
     * @param owner        the owner, see {@link io.daxrmap.model.Owner}.
     * @param fileOffset   file offset of {@code deviceOffset} for data and attr forks; 0 for other owners.
     * @param flags        GETFSMAP {@code FMR_OF_*} bits as far as the text tells them, see
     *                     {@link io.daxrmap.model.MappingFlags}.
     * @throws IOException if the handler cannot take the record (a writer failing to write).
     */
    void onRecord(int major, int minor, long deviceOffset, long length, long owner, long fileOffset, int flags)
        throws IOException;
}
