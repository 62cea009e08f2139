package io.daxrmap.failure;

/**
 * A process that maps poisoned file pages: one {@code /proc/PID/maps} line matched with one kill row.
 *
 * @param pid      process id.
 * @param command  the process's {@code comm}, or null if it could not be read.
 * @param inode    inode of the mapped file.
 * @param pgoff    first poisoned file page inside the mapping.
 * @param pgcnt    poisoned file pages inside the mapping.
 * @param address  virtual address of the first poisoned page in the process: where SIGBUS points.
 * @param vmStart  first address of the mapping.
 * @param vmEnd    end of the mapping (exclusive).
 * @param perms    the mapping's permissions as maps prints them, e.g. {@code rw-s}.
 */
public record ProcessMapping(
    long pid, String command, long inode, long pgoff, long pgcnt, long address, long vmStart, long vmEnd,
    String perms)
{
}
