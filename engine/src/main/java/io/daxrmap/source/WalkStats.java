package io.daxrmap.source;

import java.util.List;

/**
 * What a {@link FiemapWalker} walk met and what it could not map. Files that vanish or fail during a walk are
 * counted here, never thrown. A paths-only walk ({@link FiemapWalker#pathsOnly}) maps nothing: its extents, bytes
 * and unsupported counts are 0.
 *
 * @param files       regular files mapped or attempted, or named by a paths-only walk (each inode once).
 * @param directories directories met, the root included.
 * @param symlinks    symbolic links met (never mapped: FIEMAP cannot reach a symlink's own blocks).
 * @param others      FIFOs, sockets and device nodes met (never opened).
 * @param hardLinks   further paths of regular files already met under an earlier path (not mapped again).
 * @param mountPoints directory entries on another filesystem (mount points), not entered.
 * @param extents     extents delivered.
 * @param bytes       bytes of the extents delivered.
 * @param unsupported files whose filesystem refused FIEMAP for them ({@code EOPNOTSUPP}, {@code ENOTTY}), such
 *                    as every directory on XFS (a full walk only).
 * @param unsupportedFiles the regular files among them: their data is in no extent the walk delivered.
 * @param vanished    files that disappeared or were replaced between being listed and being mapped, and files and
 *                    directories met again under another path, moved while the walk ran (taken under the first).
 * @param failed      files that could not be listed, opened or mapped for any other reason.
 * @param failures    messages of the first {@link FiemapWalker#MAX_FAILURE_EXAMPLES} failures and vanished files,
 *                    each naming the path and errno.
 */
public record WalkStats(
    long files,
    long directories,
    long symlinks,
    long others,
    long hardLinks,
    long mountPoints,
    long extents,
    long bytes,
    long unsupported,
    long unsupportedFiles,
    long vanished,
    long failed,
    List<String> failures)
{
    /**
     * Validates the counts and copies the list.
     */
    public WalkStats
    {
        if (files < 0 || directories < 0 || symlinks < 0 || others < 0 || hardLinks < 0 || mountPoints < 0 ||
            extents < 0 || bytes < 0 || unsupported < 0 || unsupportedFiles < 0 || vanished < 0 || failed < 0)
        {
            throw new IllegalArgumentException("negative count: files=" + files + " directories=" + directories +
                " symlinks=" + symlinks + " others=" + others + " hardLinks=" + hardLinks + " mountPoints=" +
                mountPoints + " extents=" + extents + " bytes=" + bytes + " unsupported=" + unsupported +
                " unsupportedFiles=" + unsupportedFiles +
                " vanished=" + vanished + " failed=" + failed);
        }
        failures = List.copyOf(failures);
    }
}
