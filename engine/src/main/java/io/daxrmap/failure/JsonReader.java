package io.daxrmap.failure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader for the regions file and event lines: objects, arrays, strings, integers,
 * {@code true}, {@code false} and {@code null}. Fractions and exponents are refused (every number here is a
 * byte count or an address), as are duplicate keys and anything after the value.
 * <p>
 * Objects become {@link LinkedHashMap}s in input order, arrays {@link List}s, integers {@link Long}s.
 */
final class JsonReader
{
    private final String text;
    private final IdentityHashMap<Object, Integer> objectPositions;
    private final IdentityHashMap<Object, int[]> elementPositions;
    private int position;

    private JsonReader(
        final String text, final IdentityHashMap<Object, Integer> objectPositions,
        final IdentityHashMap<Object, int[]> elementPositions)
    {
        this.text = text;
        this.objectPositions = objectPositions;
        this.elementPositions = elementPositions;
    }

    /**
     * Parse one JSON value that makes up the whole text.
     *
     * @param text the JSON text.
     * @return the value.
     * @throws JsonSyntaxException if the text is not a single valid value.
     */
    static Object parse(final String text)
    {
        return parse(text, null);
    }

    /**
     * Parse one JSON value that makes up the whole text, noting where each object starts.
     *
     * @param text            the JSON text.
     * @param objectPositions receives each parsed object's 0-based start position, or null.
     * @return the value.
     * @throws JsonSyntaxException if the text is not a single valid value.
     */
    static Object parse(final String text, final IdentityHashMap<Object, Integer> objectPositions)
    {
        return parse(text, objectPositions, null);
    }

    /**
     * Parse one JSON value that makes up the whole text, noting where each object and each array element starts.
     *
     * @param text             the JSON text.
     * @param objectPositions  receives each parsed object's 0-based start position, or null.
     * @param elementPositions receives each parsed array's elements' 0-based start positions, or null.
     * @return the value.
     * @throws JsonSyntaxException if the text is not a single valid value.
     */
    static Object parse(
        final String text, final IdentityHashMap<Object, Integer> objectPositions,
        final IdentityHashMap<Object, int[]> elementPositions)
    {
        final JsonReader reader = new JsonReader(text, objectPositions, elementPositions);
        reader.skipSpace();
        final Object value = reader.value();
        reader.skipSpace();
        if (reader.position != text.length())
        {
            throw reader.error("unexpected text after the value");
        }
        return value;
    }

    private Object value()
    {
        if (position >= text.length())
        {
            throw error("unexpected end of input");
        }
        final char c = text.charAt(position);
        switch (c)
        {
            case '{': return object();
            case '[': return array();
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> object = new LinkedHashMap<>();
        if (objectPositions != null)
        {
            objectPositions.put(object, position);
        }
        position++;
        skipSpace();
        if (peek() == '}')
        {
            position++;
            return object;
        }
        while (true)
        {
            skipSpace();
            if (peek() != '"')
            {
                throw error("expected a string key");
            }
            final int keyAt = position;
            final String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (object.containsKey(key))
            {
                position = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            object.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                position++;
                continue;
            }
            expect('}');
            return object;
        }
    }

    private List<Object> array()
    {
        final List<Object> array = new ArrayList<>();
        final List<Integer> starts = new ArrayList<>();
        position++;
        skipSpace();
        if (peek() == ']')
        {
            position++;
            return Collections.unmodifiableList(array);
        }
        while (true)
        {
            skipSpace();
            starts.add(position);
            array.add(value());
            skipSpace();
            if (peek() == ',')
            {
                position++;
                continue;
            }
            expect(']');
            final List<Object> result = Collections.unmodifiableList(array);
            if (elementPositions != null)
            {
                elementPositions.put(result, starts.stream().mapToInt(Integer::intValue).toArray());
            }
            return result;
        }
    }

    private String string()
    {
        position++;
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            if (position >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in a string");
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            if (position >= text.length())
            {
                throw error("unterminated string");
            }
            final char escaped = text.charAt(position++);
            switch (escaped)
            {
                case '"': out.append('"'); break;
                case '\\': out.append('\\'); break;
                case '/': out.append('/'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    out.append(hex4());
                    break;
                default:
                    throw error("bad escape '\\" + escaped + "'");
            }
        }
    }

    /**
     * The 4 hex digits after {@code \\u}: exactly four ASCII hex digits (RFC 8259), no sign and no other script's
     * digits, which {@link Integer#parseInt(String, int)} would take.
     */
    private char hex4()
    {
        if (position + 4 > text.length())
        {
            throw error("short \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            final int digit = hexDigit(text.charAt(position + i));
            if (digit < 0)
            {
                throw error("bad \\u escape: 4 hex digits expected");
            }
            value = (value << 4) | digit;
        }
        position += 4;
        return (char)value;
    }

    /**
     * The value of an ASCII hex digit.
     *
     * @param c a character.
     * @return 0..15, or -1 if it is not one of {@code 0-9a-fA-F}.
     */
    static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private Long number()
    {
        final int start = position;
        if (peek() == '-')
        {
            position++;
        }
        final int digits = position;
        // JSON digits are ASCII: Character.isDigit would take Arabic-Indic and other scripts' digits
        while (position < text.length() && isDigit(text.charAt(position)))
        {
            position++;
        }
        if (position == digits)
        {
            throw error("expected digits");
        }
        if (text.charAt(digits) == '0' && position - digits > 1)
        {
            position = start;
            throw error("leading zero in a number");
        }
        if (position < text.length() && (peek() == '.' || peek() == 'e' || peek() == 'E'))
        {
            throw error("only integers are accepted here");
        }
        try
        {
            return Long.parseLong(text.substring(start, position));
        }
        catch (final NumberFormatException ex)
        {
            position = start;
            throw error("number out of range");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("unexpected character '" + text.charAt(position) + "'");
        }
        position += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error(position >= text.length() ? "unexpected end of input, expected '" + c + "'" :
                "expected '" + c + "'");
        }
        position++;
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipSpace()
    {
        while (position < text.length())
        {
            final char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }
            position++;
        }
    }

    private JsonSyntaxException error(final String detail)
    {
        return new JsonSyntaxException(detail, position);
    }

    /**
     * Malformed JSON.
     */
    static final class JsonSyntaxException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        private final int position;

        JsonSyntaxException(final String message, final int position)
        {
            super(message);
            this.position = position;
        }

        /**
         * Where the error is.
         *
         * @return the 0-based character position.
         */
        int position()
        {
            return position;
        }
    }
}
