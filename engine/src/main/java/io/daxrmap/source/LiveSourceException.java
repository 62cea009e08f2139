package io.daxrmap.source;

import java.io.IOException;

/**
 * A failed system call of a live source: the message names the path and the errno with its text
 * ({@code GETFSMAP failed: path=/mnt errno=95 (Operation not supported)...}), and {@link #errno()} gives the value.
 */
public class LiveSourceException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * A failed call.
     *
     * @param message the one-line message, naming the path and errno.
     * @param errno   the errno value.
     * @param cause   what JNA threw.
     */
    public LiveSourceException(final String message, final int errno, final Throwable cause)
    {
        super(message, cause);
        this.errno = errno;
    }

    /**
     * The errno of the failed call.
     *
     * @return the errno value.
     */
    public int errno()
    {
        return errno;
    }
}
