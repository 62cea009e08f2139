package io.daxrmap.index;

/**
 * Receives the extents of a forward lookup (file range to device ranges) in file offset order.
 */
@FunctionalInterface
public interface ExtentVisitor
{
    /**
     * One mapped extent, clipped to the asked file range.
     *
     * @param fileOffset   first file byte of the extent.
     * @param deviceOffset device byte that holds {@code fileOffset}.
     * @param length       bytes in the extent.
     * @param flags        {@link io.daxrmap.model.MappingFlags} stored bits ({@code UNWRITTEN}).
     * @return true to go on, false to stop.
     */
    boolean onExtent(long fileOffset, long deviceOffset, long length, int flags);
}
