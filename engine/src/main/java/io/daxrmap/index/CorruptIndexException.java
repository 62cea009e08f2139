package io.daxrmap.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A stored index is not what this version wrote: wrong magic, unknown version, bad checksum, truncated, or
 * contradicting itself. The message is one line naming the file and what is wrong.
 */
public final class CorruptIndexException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param file   the file at fault.
     * @param detail what is wrong.
     */
    public CorruptIndexException(final Path file, final String detail)
    {
        super(file + ": " + detail);
    }

    /**
     * @param file   the file at fault.
     * @param detail what is wrong.
     * @param cause  what was thrown reading it.
     */
    public CorruptIndexException(final Path file, final String detail, final Throwable cause)
    {
        super(file + ": " + detail, cause);
    }
}
