package io.daxrmap.source;

/**
 * What an inode met by a {@link FiemapWalker} is, from the file type bits of its mode.
 */
public enum FileKind
{
    /** A regular file: mapped with FIEMAP (named only, never opened, by a paths-only walk). */
    REGULAR,
    /** A directory: mapped with FIEMAP where the filesystem allows it (ext4 does, XFS does not), except by a
     * paths-only walk. */
    DIRECTORY,
    /** A symbolic link: never mapped (a descriptor of a symlink itself cannot take an ioctl). */
    SYMLINK,
    /** A FIFO, socket or device node: never opened. */
    OTHER
}
