package io.daxrmap.index;

/**
 * Receives the answer of a page query: the address_spaces that map a device page, and the other owners on it.
 */
public interface PageVisitor
{
    /**
     * A file data mapping of the page. Each (inode, pgoff) pair is reported once per query: the page ranges of one
     * inode's calls never overlap (they may touch: rows of different flags stay apart).
     *
     * @param inode inode number of the address_space (its device is the index's device).
     * @param pgoff first file page offset, in pages, of the file bytes that lie on the device page.
     * @param pgcnt number of file pages those bytes touch (1 unless blocks are smaller than pages and the
     *              file's pages are not aligned with the device's).
     * @param flags {@link io.daxrmap.model.MappingFlags}: {@code UNWRITTEN} when every byte is unwritten,
     *              {@code SHARED} when any byte is shared.
     */
    void onAddressSpace(long inode, long pgoff, long pgcnt, int flags);

    /**
     * A non-file owner (metadata, attr fork, bmbt block, special owner) of bytes on the page.
     *
     * @param owner        the owner, see {@link io.daxrmap.model.Owner}.
     * @param deviceOffset first byte of the owner's bytes on the page.
     * @param length       bytes of the owner's record on the page.
     * @param fileOffset   file offset for attr forks, else 0.
     * @param flags        {@link io.daxrmap.model.MappingFlags} bits.
     */
    void onOtherOwner(long owner, long deviceOffset, long length, long fileOffset, int flags);
}
