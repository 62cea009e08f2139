package io.daxrmap.index;

/**
 * Receives mapping records from a byte query or an ordered scan, as primitives: no object per record.
 */
@FunctionalInterface
public interface RecordVisitor
{
    /**
     * One mapping record.
     *
     * @param deviceOffset first device byte of the record (clipped to the query range by byte queries).
     * @param length       bytes in the record.
     * @param owner        the owner, see {@link io.daxrmap.model.Owner}.
     * @param fileOffset   file offset of {@code deviceOffset} for data and attr forks; 0 for other owners.
     * @param flags        {@link io.daxrmap.model.MappingFlags} bits.
     * @return true to go on, false to stop the query.
     */
    boolean onRecord(long deviceOffset, long length, long owner, long fileOffset, int flags);
}
