package io.daxrmap.format;

/**
 * Field parsing shared by the text readers: unsigned decimal numbers and unit conversion, each failure a
 * {@link FormatException} naming the file, line and field.
 */
final class TextFields
{
    private final String file;
    private long line;

    TextFields(final String file)
    {
        this.file = file;
    }

    String file()
    {
        return file;
    }

    long line()
    {
        return line;
    }

    void line(final long line)
    {
        this.line = line;
    }

    FormatException error(final String field, final String detail)
    {
        return new FormatException(file, line, field, detail);
    }

    /**
     * A non-negative decimal number: digits only, no sign, no spaces.
     */
    long number(final String field, final String text) throws FormatException
    {
        return number(field, text, 0, text.length());
    }

    /**
     * A non-negative decimal number in {@code text[from, to)}.
     */
    long number(final String field, final String text, final int from, final int to) throws FormatException
    {
        if (from >= to)
        {
            throw error(field, "not a number: \"\"");
        }
        final boolean negative = text.charAt(from) == '-' && to - from > 1;
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                throw error(field, "not a number: " + quote(text, from, to));
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10)
            {
                throw error(field, "out of range: " + quote(text, from, to));
            }
            value = value * 10 + (c - '0');
        }
        if (negative)
        {
            throw error(field, "negative: " + quote(text, from, to));
        }
        return value;
    }

    /**
     * A non-negative decimal number no larger than {@code max}.
     */
    int smallNumber(final String field, final String text, final int from, final int to, final int max)
        throws FormatException
    {
        final long value = number(field, text, from, to);
        if (value > max)
        {
            throw error(field, "out of range: " + quote(text, from, to) + " max=" + max);
        }
        return (int)value;
    }

    /**
     * Bytes of {@code count} units, or an error naming the field if they do not fit in a long.
     */
    long bytes(final String field, final long count, final long unit) throws FormatException
    {
        if (count > Long.MAX_VALUE / unit)
        {
            throw error(field, "overflow converting to bytes: " + field + "=" + count + " unit=" + unit);
        }
        return count * unit;
    }

    static String quote(final String text, final int from, final int to)
    {
        return "\"" + text.substring(from, to) + "\"";
    }
}
