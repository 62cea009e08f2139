package io.daxrmap.failure;

import io.daxrmap.format.FormatException;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Reads memory-failure events as JSON lines, one object per line (blank lines are skipped), strictly: an unknown
 * type or field, a missing field, a fraction or a negative number is an error naming the file, line and field.
 * The kinds and their fields are listed in {@link FailureEvent}.
 */
public final class FailureEvents
{
    private static final Set<String> PHYS_FIELDS = Set.of("type", "address", "lsb");
    private static final Set<String> CPER_FIELDS = Set.of("type", "address", "mask");
    private static final Set<String> MC_EVENT_FIELDS = Set.of("type", "address", "grain_bits");
    private static final Set<String> PFN_FIELDS = Set.of("type", "pfn");
    private static final Set<String> BADBLOCKS_FIELDS = Set.of("type", "region", "sector", "count", "relative");
    private static final Set<String> PRE_REMOVE_FIELDS = Set.of("type", "region");

    /**
     * Receives the events in input order.
     */
    @FunctionalInterface
    public interface EventHandler
    {
        /**
         * One event.
         *
         * @param event the event.
         * @param line  its 1-based line.
         * @throws IOException to stop reading.
         */
        void onEvent(FailureEvent event, long line) throws IOException;
    }

    private FailureEvents()
    {
    }

    /**
     * Read every event of an input.
     *
     * @param in      the input.
     * @param name    its name for messages ({@code -} for standard input).
     * @param handler receives each event as soon as its line is read.
     * @throws FormatException if a line is malformed; events before it have been handled.
     * @throws IOException     if the input cannot be read.
     */
    public static void read(final BufferedReader in, final String name, final EventHandler handler) throws IOException
    {
        long lineNumber = 0;
        String line;
        while ((line = readLine(in, name, lineNumber + 1)) != null)
        {
            lineNumber++;
            if (line.isBlank())
            {
                continue;
            }
            handler.onEvent(parse(line, name, lineNumber), lineNumber);
        }
    }

    /**
     * Read every event of an input of bytes, line by line, each line decoded on its own as strict UTF-8: a byte that
     * is not UTF-8 is an error naming its line exactly (a decoding reader reports it on the line it was filling,
     * which may be an earlier one, and replaces it silently if lenient). Each event is handled as soon as its line
     * has arrived, so a pipe is answered event by event.
     *
     * @param in      the input; not closed.
     * @param name    its name for messages ({@code -} for standard input).
     * @param handler receives each event as soon as its line is read.
     * @throws FormatException if a line is malformed or not UTF-8; events before it have been handled.
     * @throws IOException     if the input cannot be read (the message names the input and the line).
     */
    public static void read(final InputStream in, final String name, final EventHandler handler) throws IOException
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        long lineNumber = 0;
        int b = 0;
        while (b >= 0)
        {
            bytes.reset();
            while ((b = readByte(in, name, lineNumber + 1)) >= 0 && b != '\n')
            {
                bytes.write(b);
            }
            if (b < 0 && bytes.size() == 0)
            {
                return;
            }
            lineNumber++;
            final ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            final String line;
            try
            {
                line = decoder.reset().decode(buffer).toString();
            }
            catch (final CharacterCodingException ex)
            {
                throw new FormatException(name, lineNumber, null, "not UTF-8 at byte " + (buffer.position() + 1) + " of the line", ex);
            }
            if (line.isBlank())
            {
                continue;
            }
            handler.onEvent(parse(line, name, lineNumber), lineNumber);
        }
    }

    private static int readByte(final InputStream in, final String name, final long lineNumber) throws IOException
    {
        try
        {
            return in.read();
        }
        catch (final IOException ex)
        {
            throw new IOException(name + ":" + lineNumber + ": cannot read: " + ex.getMessage(), ex);
        }
    }

    /**
     * The next line, with read and decoding errors naming the input and the line.
     */
    private static String readLine(final BufferedReader in, final String name, final long lineNumber) throws IOException
    {
        try
        {
            return in.readLine();
        }
        catch (final CharacterCodingException ex)
        {
            // a decoding reader may report a bad byte while filling an earlier line
            throw new FormatException(name, lineNumber, null, "not UTF-8 (at or after this line)", ex);
        }
        catch (final IOException ex)
        {
            throw new IOException(name + ":" + lineNumber + ": cannot read: " + ex.getMessage(), ex);
        }
    }

    /**
     * Parse one event line.
     *
     * @param line       the JSON object.
     * @param name       the input's name for messages.
     * @param lineNumber the 1-based line number for messages.
     * @return the event.
     * @throws FormatException if the line is malformed.
     */
    @SuppressWarnings("unchecked")
    public static FailureEvent parse(final String line, final String name, final long lineNumber) throws FormatException
    {
        final Object value;
        try
        {
            value = JsonReader.parse(line);
        }
        catch (final JsonReader.JsonSyntaxException ex)
        {
            throw new FormatException(name, lineNumber, null, "not JSON: " + ex.getMessage() + " at column " +
                JsonFields.columnOf(line, ex.position()), ex);
        }
        if (!(value instanceof Map))
        {
            throw new FormatException(name, lineNumber, null, "expected a JSON object");
        }
        final JsonFields fields = new JsonFields((Map<String, Object>)value, name, lineNumber, "");
        final String json = line.strip();
        final String type = fields.string("type");
        try
        {
            switch (type)
            {
                case "phys":
                case "mce":
                    fields.onlyFields(PHYS_FIELDS);
                    return FailureEvent.physical(fields.number("address"),
                        shift(fields, "lsb", FailureEvent.PAGE_SHIFT), json);
                case "cper":
                    fields.onlyFields(CPER_FIELDS);
                    return FailureEvent.physical(fields.number("address"), maskShift(fields), json);
                case "mc_event":
                    fields.onlyFields(MC_EVENT_FIELDS);
                    return FailureEvent.physical(fields.number("address"), shift(fields, "grain_bits", -1), json);
                case "memory_failure_event":
                    fields.onlyFields(PFN_FIELDS);
                    final long pfn = fields.number("pfn");
                    if (pfn > (Long.MAX_VALUE >> FailureEvent.PAGE_SHIFT))
                    {
                        throw fields.error("pfn", "too large: " + pfn);
                    }
                    return FailureEvent.pfn(pfn, json);
                case "badblocks":
                    fields.onlyFields(BADBLOCKS_FIELDS);
                    final long sector = fields.number("sector");
                    final long count = fields.number("count");
                    if (count == 0)
                    {
                        throw fields.error("count", "must be positive: 0");
                    }
                    if (count > Long.MAX_VALUE >> 9)
                    {
                        throw fields.error("count", "more sectors than 64 bits of bytes hold: " + count);
                    }
                    if (sector > (Long.MAX_VALUE >> 9) - count)
                    {
                        throw fields.error("sector", "range overflows 64 bits: sector=" + sector + " count=" + count);
                    }
                    return FailureEvent.badblocks(fields.string("region"), sector, count, origin(fields), json);
                case "pre-remove":
                    fields.onlyFields(PRE_REMOVE_FIELDS);
                    return FailureEvent.preRemove(fields.string("region"), json);
                default:
                    throw fields.error("type", "unknown event type \"" + type +
                        "\"; expected phys, mce, cper, mc_event, memory_failure_event, badblocks or pre-remove");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            // the event's range past 64 bits: the field it starts from is at fault
            final String field = switch (type)
            {
                case "phys", "mce", "cper", "mc_event" -> "address";
                case "memory_failure_event" -> "pfn";
                default -> null;
            };
            throw new FormatException(name, lineNumber, field, ex.getMessage(), ex);
        }
    }

    private static int shift(final JsonFields fields, final String field, final int defaultValue) throws FormatException
    {
        if (!fields.has(field) && defaultValue >= 0)
        {
            return defaultValue;
        }
        final long value = fields.number(field);
        if (value > 63)
        {
            throw fields.error(field, "a log2 must be 0..63: " + value);
        }
        return (int)value;
    }

    private static int maskShift(final JsonFields fields) throws FormatException
    {
        final long mask = fields.unsignedHex("mask");
        final int shift = Long.numberOfTrailingZeros(mask);
        if (mask == 0 || shift == 64 || (mask | ((1L << shift) - 1)) != -1L)
        {
            throw fields.error("mask", "not an address mask (high bits set, low bits clear): 0x" + Long.toHexString(mask));
        }
        return shift;
    }

    private static FailureEvent.Origin origin(final JsonFields fields) throws FormatException
    {
        if (!fields.has("relative"))
        {
            return FailureEvent.Origin.NAMESPACE;
        }
        final String relative = fields.string("relative");
        switch (relative)
        {
            case "namespace": return FailureEvent.Origin.NAMESPACE;
            case "region": return FailureEvent.Origin.REGION;
            default: throw fields.error("relative", "expected \"namespace\" or \"region\": \"" + relative + "\"");
        }
    }
}
