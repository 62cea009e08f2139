package io.daxrmap.format;

import java.io.IOException;

/**
 * Receives the extents of a {@link FiemapText} text, file by file, in bytes.
 */
@FunctionalInterface
public interface FiemapTextHandler
{
    /**
     * A file of the text begins; its extents follow.
     *
     * @param path the path as the tool printed it.
     * @param size the file size in bytes where the text tells it ({@code filefrag -v}), else -1.
     * @throws IOException if the handler cannot take it.
     */
    default void onFile(final String path, final long size) throws IOException
    {
    }

    /**
     * One extent of the current file, holes left out.
     *
     * @param path       the path of the file, as given to {@link #onFile}.
     * @param fileOffset first byte of the extent in the file.
     * @param physical   first device byte of the extent (0 where {@code FIEMAP_EXTENT_UNKNOWN} is set).
     * @param length     bytes in the extent, positive: the tool's inclusive range times its unit.
     * @param flags      {@code FIEMAP_EXTENT_*} bits, see {@link FiemapText}.
     * @throws IOException if the handler cannot take it.
     */
    void onExtent(String path, long fileOffset, long physical, long length, int flags) throws IOException;
}
