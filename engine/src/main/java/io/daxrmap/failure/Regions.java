package io.daxrmap.failure;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pmem devices of a host: which physical ranges belong to which device, loaded from a regions file
 * (DESIGN.md section 6) or discovered from sysfs ({@link SysfsRegions}).
 * <p>
 * Regions file: {@code {"regions":[{"name":"pmem0","physBase":"0x100000000","size":1073741824,"startPad":0,
 * "dataOffset":0,"partitionOffset":0}]}}; numbers are JSON integers or {@code "0x"} strings; {@code startPad} and
 * {@code partitionOffset} default to 0. Optional extensions: {@code "device":"MAJOR:MINOR"} names the index device
 * the region holds (default: the index's data device), {@code "regionBase"} the nd region's physical base for
 * region-relative badblocks (default: {@code physBase}). Windows must not overlap; names must be unique.
 */
public final class Regions
{
    private static final Set<String> TOP_FIELDS = Set.of("regions");
    private static final Set<String> REGION_FIELDS = Set.of(
        "name", "physBase", "size", "startPad", "dataOffset", "partitionOffset", "device", "regionBase");

    private final Region[] regions;

    /**
     * Regions from a list.
     *
     * @param regions the regions; windows must not overlap and names must be unique.
     */
    public Regions(final List<Region> regions)
    {
        final Region[] sorted = regions.toArray(new Region[0]);
        Arrays.sort(sorted, (a, b) -> Long.compare(a.physBase(), b.physBase()));
        for (int i = 1; i < sorted.length; i++)
        {
            if (sorted[i].physBase() < sorted[i - 1].end())
            {
                throw new IllegalArgumentException("regions overlap: " + sorted[i - 1].name() + "=[0x" +
                    Long.toHexString(sorted[i - 1].physBase()) + ", 0x" + Long.toHexString(sorted[i - 1].end()) +
                    ") " + sorted[i].name() + "=[0x" + Long.toHexString(sorted[i].physBase()) + ", 0x" +
                    Long.toHexString(sorted[i].end()) + ")");
            }
        }
        for (int i = 0; i < sorted.length; i++)
        {
            for (int j = i + 1; j < sorted.length; j++)
            {
                if (sorted[i].name().equals(sorted[j].name()))
                {
                    throw new IllegalArgumentException("duplicate region name: name=" + sorted[i].name());
                }
            }
        }
        this.regions = sorted;
    }

    /**
     * The regions in physical order.
     *
     * @return an unmodifiable list.
     */
    public List<Region> list()
    {
        return Collections.unmodifiableList(Arrays.asList(regions));
    }

    /**
     * The region whose window holds a physical address. Allocates nothing.
     *
     * @param phys physical address.
     * @return the region, or null if the address is outside every device.
     */
    public Region find(final long phys)
    {
        for (final Region region : regions)
        {
            if (region.contains(phys))
            {
                return region;
            }
        }
        return null;
    }

    /**
     * The first region starting after a physical address. Allocates nothing.
     *
     * @param phys physical address.
     * @return the region's base, or {@link Long#MAX_VALUE} if none starts after it.
     */
    public long nextStart(final long phys)
    {
        for (final Region region : regions)
        {
            if (region.physBase() > phys)
            {
                return region.physBase();
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The region of a name.
     *
     * @param name device name.
     * @return the region, or null.
     */
    public Region byName(final String name)
    {
        for (final Region region : regions)
        {
            if (region.name().equals(name))
            {
                return region;
            }
        }
        return null;
    }

    /**
     * These regions and more, the given ones replacing any of the same name.
     *
     * @param more regions to add.
     * @return the union.
     */
    public Regions with(final Regions more)
    {
        final List<Region> all = new ArrayList<>(more.list());
        for (final Region region : regions)
        {
            if (more.byName(region.name()) == null)
            {
                all.add(region);
            }
        }
        return new Regions(all);
    }

    /**
     * Read a regions file.
     *
     * @param file the file.
     * @return the regions.
     * @throws FormatException if it is malformed (the message names the file, line and field).
     * @throws IOException     if it cannot be read.
     */
    public static Regions read(final Path file) throws IOException
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new IOException(file + ": cannot read: " + ex.getMessage(), ex);
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
        }
        catch (final CharacterCodingException ex)
        {
            // the decoder stops at the bad sequence: its line is one more than the newlines before it
            long line = 1;
            for (int i = 0; i < in.position(); i++)
            {
                if (bytes[i] == '\n')
                {
                    line++;
                }
            }
            throw new FormatException(file.toString(), line, null, "not UTF-8 at byte offset " + in.position(), ex);
        }
        return parse(text, file.toString());
    }

    /**
     * Parse the text of a regions file.
     *
     * @param text the JSON text.
     * @param name the input's name for messages.
     * @return the regions.
     * @throws FormatException if it is malformed.
     */
    @SuppressWarnings("unchecked")
    public static Regions parse(final String text, final String name) throws FormatException
    {
        final IdentityHashMap<Object, Integer> positions = new IdentityHashMap<>();
        final IdentityHashMap<Object, int[]> elements = new IdentityHashMap<>();
        final Object root;
        try
        {
            root = JsonReader.parse(text, positions, elements);
        }
        catch (final JsonReader.JsonSyntaxException ex)
        {
            throw new FormatException(name, JsonFields.lineOf(text, ex.position()), null,
                ex.getMessage() + " at column " + JsonFields.columnOf(text, ex.position()), ex);
        }
        if (!(root instanceof Map))
        {
            throw new FormatException(name, 1, null, "expected an object {\"regions\":[...]}");
        }
        final JsonFields top = new JsonFields((Map<String, Object>)root, name, 1, "");
        top.onlyFields(TOP_FIELDS);
        final Object list = ((Map<String, Object>)root).get("regions");
        if (!(list instanceof List))
        {
            throw top.error("regions", list == null ? "missing" : "not an array");
        }
        final List<Region> regions = new ArrayList<>();
        final List<Long> lines = new ArrayList<>();
        final int[] starts = elements.get(list);
        int i = 0;
        for (final Object item : (List<Object>)list)
        {
            final String prefix = "regions[" + i + "].";
            if (!(item instanceof Map))
            {
                throw new FormatException(name, JsonFields.lineOf(text, starts[i]), "regions[" + i + "]", "not an object");
            }
            final JsonFields fields = new JsonFields((Map<String, Object>)item, name,
                JsonFields.lineOf(text, positions.get(item)), prefix);
            fields.onlyFields(REGION_FIELDS);
            final long physBase = fields.number("physBase");
            final long size = fields.number("size");
            if (physBase > Long.MAX_VALUE - size)
            {
                throw fields.error("size", "window past 2^63: physBase=" + physBase + " size=" + size);
            }
            final long startPad = fields.number("startPad", 0);
            final long dataOffset = fields.number("dataOffset");
            final long partitionOffset = fields.number("partitionOffset", 0);
            // each offset lies inside the window: the partial sums are checked one by one so that huge offsets can
            // neither wrap around to a small total nor be blamed on the wrong field
            offsetWithin(fields, "startPad", 0, startPad, size);
            offsetWithin(fields, "dataOffset", startPad, dataOffset, size);
            offsetWithin(fields, "partitionOffset", Math.addExact(startPad, dataOffset), partitionOffset, size);
            try
            {
                regions.add(new Region(fields.string("name"), physBase, size, startPad, dataOffset, partitionOffset,
                    fields.has("device") ? device(fields) : Region.DATA_DEVICE,
                    fields.number("regionBase", physBase)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new FormatException(name, fields.line(), "regions[" + i + "]", ex.getMessage(), ex);
            }
            lines.add(fields.line());
            i++;
        }
        // the constructor's checks, made here to name the entry at fault: the later one in the file
        for (int k = 0; k < regions.size(); k++)
        {
            for (int j = 0; j < k; j++)
            {
                final Region a = regions.get(j);
                final Region b = regions.get(k);
                if (a.name().equals(b.name()))
                {
                    throw new FormatException(name, lines.get(k), "regions[" + k + "].name",
                        "duplicate region name: name=" + b.name() + " (also regions[" + j + "] on line " + lines.get(j) + ")");
                }
                if (a.physBase() < b.end() && b.physBase() < a.end())
                {
                    final Region first = a.physBase() <= b.physBase() ? a : b;
                    final Region second = first == a ? b : a;
                    throw new FormatException(name, lines.get(k), "regions[" + k + "]", "regions overlap: " +
                        first.name() + "=[0x" + Long.toHexString(first.physBase()) + ", 0x" + Long.toHexString(first.end()) +
                        ") " + second.name() + "=[0x" + Long.toHexString(second.physBase()) + ", 0x" +
                        Long.toHexString(second.end()) + ") (regions[" + j + "] on line " + lines.get(j) + ")");
                }
            }
        }
        return new Regions(regions);
    }

    /**
     * Refuse an offset that, added to the ones before it, ends past the window.
     *
     * @param fields the region's fields.
     * @param name   the offset's field.
     * @param before the sum of the offsets before it, at most {@code size}.
     * @param offset the offset.
     * @param size   the window's size.
     * @throws FormatException naming the field.
     */
    private static void offsetWithin(
        final JsonFields fields, final String name, final long before, final long offset, final long size)
        throws FormatException
    {
        if (offset > size - before)
        {
            throw fields.error(name, "ends past the window: " + name + "=" + offset + " after " + before +
                " bytes of offsets, size=" + size);
        }
    }

    private static int device(final JsonFields fields) throws FormatException
    {
        final String text = fields.string("device");
        final int colon = text.indexOf(':');
        try
        {
            if (colon < 0)
            {
                throw new NumberFormatException(text);
            }
            return DeviceNumber.encode(Integer.parseInt(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw fields.error("device", "not MAJOR:MINOR: \"" + text + "\"");
        }
    }
}
