package io.daxrmap.failure;

import io.daxrmap.format.FormatException;

import java.util.Map;
import java.util.Set;

/**
 * Strict access to the fields of one parsed JSON object, with errors that name the file, the line and the field:
 * {@code events.jsonl:3: field address: not a number or "0x" string: "12z"}.
 *
 * @param object the parsed object.
 * @param file   the input's name as the user gave it.
 * @param line   the 1-based line the object starts on.
 * @param prefix prepended to field names in messages (for example {@code regions[2].}), or empty.
 */
record JsonFields(Map<String, Object> object, String file, long line, String prefix)
{
    /**
     * Refuse fields not in {@code allowed}: a misspelt optional field must not be silently ignored.
     *
     * @param allowed the field names this object may have.
     * @throws FormatException naming the first unknown field.
     */
    void onlyFields(final Set<String> allowed) throws FormatException
    {
        for (final String key : object.keySet())
        {
            if (!allowed.contains(key))
            {
                throw error(key, "unknown field; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    /**
     * Whether the field is present (and not null).
     *
     * @param name field name.
     * @return true if it has a value.
     */
    boolean has(final String name)
    {
        return object.get(name) != null;
    }

    /**
     * A required string field.
     *
     * @param name field name.
     * @return its value.
     * @throws FormatException if missing or not a string.
     */
    String string(final String name) throws FormatException
    {
        final Object value = object.get(name);
        if (value == null)
        {
            throw error(name, "missing");
        }
        if (!(value instanceof String))
        {
            throw error(name, "not a string: " + value);
        }
        return (String)value;
    }

    /**
     * A required non-negative integer given as a JSON number or a {@code "0x"} hex string (unsigned 64 bits are not
     * accepted: every value here is an address or a length below 2^63).
     *
     * @param name field name.
     * @return its value.
     * @throws FormatException if missing, not a number, or negative.
     */
    long number(final String name) throws FormatException
    {
        final Object value = object.get(name);
        if (value == null)
        {
            throw error(name, "missing");
        }
        final long result;
        if (value instanceof Long)
        {
            result = (Long)value;
        }
        else if (value instanceof String && hexPrefixed((String)value))
        {
            result = hex(name, (String)value);
        }
        else
        {
            throw error(name, "not a number or \"0x\" string: " + (value instanceof String ? "\"" + value + "\"" : value));
        }
        if (result < 0)
        {
            throw error(name, "must not be negative: " + value);
        }
        return result;
    }

    /**
     * A required 64-bit unsigned integer given as a {@code "0x"} hex string (an address mask).
     *
     * @param name field name.
     * @return its value, the bits as they are.
     * @throws FormatException if missing or not a hex string.
     */
    long unsignedHex(final String name) throws FormatException
    {
        final Object value = object.get(name);
        if (value instanceof Long && (Long)value >= 0)
        {
            return (Long)value;
        }
        if (!(value instanceof String) || !hexPrefixed((String)value))
        {
            throw error(name, value == null ? "missing" : "not a \"0x\" hex string: " + value);
        }
        return hex(name, (String)value);
    }

    private static boolean hexPrefixed(final String value)
    {
        return value.startsWith("0x") || value.startsWith("0X");
    }

    /**
     * The 64 bits of a {@code "0x"} string, as {@code --phys} and {@code strtoull} take it: leading zeros and an
     * upper-case X allowed, at most 16 digits after them.
     */
    private long hex(final String name, final String value) throws FormatException
    {
        int first = 2;
        while (first < value.length() - 1 && value.charAt(first) == '0')
        {
            first++;
        }
        final String digits = value.substring(first);
        if (digits.isEmpty() || digits.length() > 16 || !isHex(digits))
        {
            throw error(name, "not a hex number: \"" + value + "\"");
        }
        return Long.parseUnsignedLong(digits, 16);
    }

    /**
     * An optional non-negative integer.
     *
     * @param name         field name.
     * @param defaultValue returned when the field is absent or null.
     * @return its value.
     * @throws FormatException if present and not a non-negative integer.
     */
    long number(final String name, final long defaultValue) throws FormatException
    {
        return has(name) ? number(name) : defaultValue;
    }

    /**
     * Whether a text is ASCII hex digits only: {@link Long#parseUnsignedLong(String, int)} alone would take a sign and
     * other scripts' digits.
     *
     * @param digits the text.
     * @return true if every character is one of {@code 0-9a-fA-F}.
     */
    private static boolean isHex(final String digits)
    {
        for (int i = 0; i < digits.length(); i++)
        {
            if (JsonReader.hexDigit(digits.charAt(i)) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * An error in one field.
     *
     * @param name   field name.
     * @param detail what is wrong.
     * @return the exception to throw.
     */
    FormatException error(final String name, final String detail)
    {
        return new FormatException(file, line, prefix + name, detail);
    }

    /**
     * The 1-based line of a character position in a text.
     *
     * @param text     the text.
     * @param position 0-based character position.
     * @return its line.
     */
    static long lineOf(final String text, final int position)
    {
        long line = 1;
        for (int i = 0; i < position && i < text.length(); i++)
        {
            if (text.charAt(i) == '\n')
            {
                line++;
            }
        }
        return line;
    }

    /**
     * The 1-based column of a character position in its line.
     *
     * @param text     the text.
     * @param position 0-based character position.
     * @return its column.
     */
    static int columnOf(final String text, final int position)
    {
        final int at = Math.min(position, text.length());
        return at - (text.lastIndexOf('\n', at - 1) + 1) + 1;
    }
}
