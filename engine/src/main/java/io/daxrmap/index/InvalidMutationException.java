package io.daxrmap.index;

/**
 * A mutation was refused: it contradicts the index (overlapping private allocation, unmapping what is not mapped,
 * a range past the device end, a bad number). The batch that held it is discarded whole; the index is unchanged.
 */
public final class InvalidMutationException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, as {@code name=value} pairs.
     */
    public InvalidMutationException(final String message)
    {
        super(message);
    }
}
