package io.daxrmap.cli;

/**
 * Units of {@code --range} and of the fsmap formats' numbers.
 */
enum Units
{
    /** 512-byte sectors, as xfs_io prints. */
    sectors,
    /** Bytes. */
    bytes,
    /** Filesystem blocks. */
    blocks;

    long size(final int blockSize)
    {
        switch (this)
        {
            case sectors: return 512;
            case bytes: return 1;
            default: return blockSize;
        }
    }

    /**
     * A {@code START:END} range, inclusive on both ends, in bytes: {@code [start, end]} with end the last byte.
     *
     * @return two longs: first byte, last byte.
     */
    static long[] parseRange(final String text, final long unit)
    {
        final int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("--range takes START:END: range=" + text);
        }
        final long start = parseNumber(text.substring(0, colon), "START");
        final long end = parseNumber(text.substring(colon + 1), "END");
        if (end < start)
        {
            throw new IllegalArgumentException("--range END before START: range=" + text);
        }
        if (end > (Long.MAX_VALUE - unit + 1) / unit)
        {
            throw new IllegalArgumentException("--range overflows bytes: range=" + text + " unit=" + unit);
        }
        return new long[]{start * unit, end * unit + unit - 1};
    }

    static long parseNumber(final String text, final String field)
    {
        try
        {
            final long value = text.startsWith("0x") || text.startsWith("0X") ?
                Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
            if (value < 0)
            {
                throw new IllegalArgumentException(field + " must not be negative: " + field + "=" + text);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(field + " is not a number: " + field + "=" + text, ex);
        }
    }
}
