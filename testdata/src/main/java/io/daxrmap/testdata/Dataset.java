package io.daxrmap.testdata;

import io.daxrmap.index.ReverseIndex;

/**
 * A generated device layout loaded into an index, with the probe offsets a benchmark or test asks about.
 *
 * @param name          what was generated, with its parameters.
 * @param index         the loaded index.
 * @param records       mapping records as XFS's rmapbt would hold them: one per (owner, extent).
 * @param mappedOffsets device offsets, 64-byte aligned, that lie inside mapped file data, in random order.
 */
public record Dataset(String name, ReverseIndex index, long records, long[] mappedOffsets)
{
}
