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
        final long start = parseRangeNumber(text.substring(0, colon), "START");
        final long end = parseRangeNumber(text.substring(colon + 1), "END");
        if (end < start)
        {
            throw new IllegalArgumentException("--range END before START: range=" + text);
        }
        // as xfs_io's fsmap -d takes them: past what a byte offset can count, a number means the end of everything
        final long limit = (Long.MAX_VALUE - unit + 1) / unit;
        return new long[]{start > limit ? Long.MAX_VALUE : start * unit,
            end > limit ? Long.MAX_VALUE : end * unit + unit - 1};
    }

    /**
     * A number of a {@code --range}: as {@link #parseNumber}, and one too large for a long (xfs_io takes up to
     * 18446744073709551615) as {@link Long#MAX_VALUE}.
     */
    private static long parseRangeNumber(final String text, final String field)
    {
        final boolean hex = text.startsWith("0x") || text.startsWith("0X");
        if (hex ? digits(text, 2, 16) : text.length() > 18 && digits(text, 0, 10))
        {
            try
            {
                final long value = hex ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
                return value < 0 ? Long.MAX_VALUE : value; // hex of 2^63 or more
            }
            catch (final NumberFormatException ex)
            {
                return Long.MAX_VALUE;
            }
        }
        return parseNumber(text, field);
    }

    /**
     * A number as options take it: decimal, or hexadecimal after {@code 0x}, in ASCII digits with no sign.
     */
    static long parseNumber(final String text, final String field)
    {
        final boolean hex = text.startsWith("0x") || text.startsWith("0X");
        if (!digits(text, hex ? 2 : 0, hex ? 16 : 10))
        {
            throw new IllegalArgumentException(field + " is not a number: " + field + "=" + text);
        }
        final long value;
        try
        {
            value = hex ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(field + " is out of range: " + field + "=" + text, ex);
        }
        if (value < 0)
        {
            // hex of 2^63 or more: as out of range as the same number in decimal, never a negative one
            throw new IllegalArgumentException(field + " is out of range: " + field + "=" + text);
        }
        return value;
    }

    /**
     * Whether {@code text} from {@code from} on is one or more ASCII digits of the radix (10 or 16).
     */
    private static boolean digits(final String text, final int from, final int radix)
    {
        if (text.length() <= from)
        {
            return false;
        }
        for (int i = from; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            final boolean digit = (c >= '0' && c <= '9') ||
                (radix == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!digit)
            {
                return false;
            }
        }
        return true;
    }
}
