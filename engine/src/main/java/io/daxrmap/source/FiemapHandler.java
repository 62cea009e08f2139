package io.daxrmap.source;

import java.io.IOException;

/**
 * Receives what a {@link FiemapWalker} finds: each inode once with its first path, and each extent of the inodes
 * it could map, as primitives.
 * <p>
 * Paths are relative to the walk's root, with {@code /} between names; the root itself is {@code ""}. Calls come
 * in the walk's order: an inode's {@link #onInode} before its extents, inodes in sorted path order.
 */
@FunctionalInterface
public interface FiemapHandler
{
    /**
     * An inode met for the first time: every regular file, directory, symlink and other file of the tree, once
     * (a hard-linked file under the first of its paths in sorted order).
     *
     * @param inode the inode number ({@code st_ino}).
     * @param path  the path relative to the root.
     * @param kind  the file type.
     * @throws IOException if the handler cannot take it.
     */
    default void onInode(final long inode, final String path, final FileKind kind) throws IOException
    {
    }

    /**
     * One FIEMAP extent, in bytes.
     *
     * @param inode      the inode number.
     * @param path       the path relative to the root.
     * @param fileOffset {@code fe_logical}: first byte of the extent in the file.
     * @param physical   {@code fe_physical}: first device byte (meaningless if {@code FIEMAP_EXTENT_UNKNOWN} is set).
     * @param length     {@code fe_length}: bytes in the extent.
     * @param flags      {@code fe_flags}: {@code FIEMAP_EXTENT_*} bits, see {@link FiemapWalker}.
     * @throws IOException if the handler cannot take it.
     */
    void onExtent(long inode, String path, long fileOffset, long physical, long length, int flags) throws IOException;
}
