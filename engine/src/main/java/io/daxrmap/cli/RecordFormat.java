package io.daxrmap.cli;

import io.daxrmap.format.FsmapCsvWriter;
import io.daxrmap.format.FsmapVerboseWriter;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;

import java.io.IOException;

/**
 * How {@code dump} and {@code query} print records.
 */
enum RecordFormat
{
    /** {@code xfs_io -c 'fsmap -m'}. */
    fsmap_csv("fsmap-csv"),
    /** {@code xfs_io -c 'fsmap -v'}. */
    fsmap_verbose("fsmap-verbose"),
    /** One JSON object per line. */
    json("json");

    private final String text;

    RecordFormat(final String text)
    {
        this.text = text;
    }

    @Override
    public String toString()
    {
        return text;
    }

    static RecordFormat parse(final String text)
    {
        for (final RecordFormat format : values())
        {
            if (format.text.equals(text))
            {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown format: format=" + text + " (fsmap-csv, fsmap-verbose, json)");
    }

    void print(final FilesystemIndex index, final IndexRecords records, final Units units, final Appendable out)
        throws IOException
    {
        final int blockSize = index.devices().isEmpty() ? 4096 :
            index.device(index.dataDevice()).geometry().blockSize();
        switch (this)
        {
            case fsmap_csv:
                records.forEach(new FsmapCsvWriter(out, units.size(blockSize)));
                break;
            case fsmap_verbose:
                if (units != Units.sectors)
                {
                    throw new IllegalArgumentException("fsmap-verbose prints sectors only: units=" + units);
                }
                new FsmapVerboseWriter(index.xfsGeometry().orElseThrow(() -> new IllegalArgumentException(
                    "fsmap-verbose needs the XFS geometry, which this index does not have: it was indexed from " +
                    "another filesystem than XFS, or imported without --xfs-info"))).write(out, records,
                    records.count());
                break;
            default:
                final long unit = units.size(blockSize);
                records.forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) ->
                {
                    // refused as the CSV writer refuses it, never printed cut down to whole units
                    if (((deviceOffset | length) % unit) != 0 || Owner.hasFileOffset(owner) && fileOffset % unit != 0)
                    {
                        throw new IllegalArgumentException("record not in whole units: deviceOffset=" + deviceOffset +
                            " length=" + length + " fileOffset=" + fileOffset + " unit=" + unit);
                    }
                    final String path = Owner.isInode(owner) ? index.path(Owner.inode(owner)) : null;
                    out.append("{\"device\":\"").append(Integer.toString(major)).append(':')
                        .append(Integer.toString(minor)).append("\",\"start\":").append(Long.toString(deviceOffset / unit))
                        .append(",\"length\":").append(Long.toString(length / unit))
                        .append(",\"units\":\"").append(units.name()).append("\",\"owner\":\"")
                        .append(Owner.toString(owner)).append('"');
                    if (Owner.hasFileOffset(owner))
                    {
                        out.append(",\"fileOffset\":").append(Long.toString(fileOffset / unit));
                    }
                    out.append(",\"flags\":[").append(flagNames(flags)).append(']');
                    if (path != null)
                    {
                        out.append(",\"path\":").append(Json.quote(path));
                    }
                    out.append("}\n");
                });
                break;
        }
    }

    static String flagNames(final int flags)
    {
        final StringBuilder names = new StringBuilder();
        append(names, flags, MappingFlags.SHARED, "shared");
        append(names, flags, MappingFlags.UNWRITTEN, "unwritten");
        append(names, flags, MappingFlags.ATTR_FORK, "attr_fork");
        append(names, flags, MappingFlags.EXTENT_MAP, "extent_map");
        append(names, flags, MappingFlags.SPECIAL_OWNER, "special_owner");
        return names.toString();
    }

    private static void append(final StringBuilder names, final int flags, final int bit, final String name)
    {
        if ((flags & bit) != 0)
        {
            names.append(names.length() == 0 ? "" : ",").append('"').append(name).append('"');
        }
    }
}
