package io.daxrmap.cli;

import io.daxrmap.failure.FailureEvent;
import io.daxrmap.failure.FailureReport;
import io.daxrmap.failure.ProcessMapping;
import io.daxrmap.failure.RepairKind;
import io.daxrmap.failure.Verdict;
import io.daxrmap.format.DeviceNumber;
import io.daxrmap.model.Owner;

import java.util.Map;
import java.util.function.LongFunction;

/**
 * Failure reports as {@code daxrmap failure} prints them: one JSON object per line (DESIGN.md section 6, field names
 * fixed; {@code phys}, {@code device}, {@code flags}, {@code pgoffExpanded}/{@code pgcntExpanded}, {@code recovery},
 * {@code structure} and {@code processes} are extensions), or readable text.
 */
final class FailureReportFormat
{
    /** The chars that stand for the bytes 0x80..0xFF of a name that is not UTF-8 (surrogate escapes). */
    private static final char NOT_UTF8_FIRST = '\udc80';
    private static final char NOT_UTF8_LAST = '\udcff';

    private static final long PAGE_SIZE = 1L << FailureEvent.PAGE_SHIFT;
    private static final Map<Long, String> SPECIAL_STRUCTURES = Map.of(
        Owner.XFS_FS, "static filesystem metadata (superblock, AG headers)",
        Owner.XFS_LOG, "the journal",
        Owner.XFS_AG, "AG free space and reverse mapping btrees",
        Owner.XFS_INOBT, "inode btree",
        Owner.XFS_INODES, "inode chunk",
        Owner.XFS_REFC, "reference count btree",
        Owner.XFS_COW, "copy-on-write staging extent",
        Owner.XFS_DEFECTIVE, "known bad blocks",
        Owner.UNKNOWN, "unknown owner");

    private FailureReportFormat()
    {
    }

    static String json(final FailureReport report, final LongFunction<String> paths)
    {
        final boolean mapped = report.verdict() == Verdict.MAPPED;
        final StringBuilder out = new StringBuilder(256);
        out.append("{\"event\":").append(report.event().json())
            .append(",\"verdict\":\"").append(report.verdict().json()).append('"')
            .append(",\"region\":").append(report.region() == null ? "null" : Json.quote(report.region().name()))
            .append(",\"phys\":").append(report.phys() < 0 ? "null" : "\"0x" + Long.toHexString(report.phys()) + "\"")
            .append(",\"device\":").append(mapped ? "\"" + deviceName(report.device()) + "\"" : "null")
            .append(",\"deviceOffset\":").append(mapped ? Long.toString(report.deviceOffset()) : "null")
            .append(",\"length\":").append(report.length())
            .append(",\"kill\":[");
        final boolean expanded = report.mappingShift() > FailureEvent.PAGE_SHIFT;
        for (int i = 0; i < report.killCount(); i++)
        {
            final String path = paths.apply(report.killInode(i));
            out.append(i == 0 ? "" : ",").append("{\"inode\":").append(report.killInode(i))
                .append(",\"path\":").append(path == null ? "null" : Json.quote(path))
                .append(",\"pgoff\":").append(report.killPgoff(i))
                .append(",\"pgcnt\":").append(report.killPgcnt(i))
                .append(",\"flags\":[").append(RecordFormat.flagNames(report.killFlags(i))).append(']');
            if (expanded)
            {
                out.append(",\"pgoffExpanded\":").append(report.killPgoffExpanded(i))
                    .append(",\"pgcntExpanded\":").append(report.killPgcntExpanded(i));
            }
            out.append('}');
        }
        out.append("],\"fatal\":[");
        for (int i = 0; i < report.fatalCount(); i++)
        {
            out.append(i == 0 ? "" : ",").append("{\"owner\":\"").append(Owner.toString(report.fatalOwner(i)))
                .append("\",\"deviceOffset\":").append(report.fatalDeviceOffset(i))
                .append(",\"length\":").append(report.fatalLength(i))
                .append(",\"structure\":").append(Json.quote(structure(report.fatalOwner(i)))).append('}');
        }
        out.append("],\"repair\":[");
        for (int i = 0; i < report.repairCount(); i++)
        {
            final RepairKind kind = report.repairKind(i);
            final long offset = report.repairDeviceOffset(i);
            final long length = report.repairLength(i);
            out.append(i == 0 ? "" : ",").append("{\"deviceOffset\":").append(offset)
                .append(",\"length\":").append(length)
                .append(",\"kind\":\"").append(kind.json()).append('"')
                .append(",\"owner\":").append(kind == RepairKind.FREE ? "null" :
                    "\"" + Owner.toString(report.repairOwner(i)) + "\"")
                .append(",\"fileOffset\":").append(report.repairFileOffset(i) < 0 ? "null" :
                    Long.toString(report.repairFileOffset(i)));
            if (kind == RepairKind.FREE)
            {
                final long first = offset & -PAGE_SIZE;
                final long end = (offset + length + PAGE_SIZE - 1) & -PAGE_SIZE;
                out.append(",\"recovery\":{\"deviceOffset\":").append(first).append(",\"length\":").append(end - first)
                    .append('}');
            }
            else if (kind == RepairKind.METADATA)
            {
                out.append(",\"structure\":").append(Json.quote(structure(report.repairOwner(i))));
            }
            out.append('}');
        }
        out.append("],\"processes\":[");
        int i = 0;
        for (final ProcessMapping process : report.processes())
        {
            out.append(i++ == 0 ? "" : ",").append("{\"pid\":").append(process.pid())
                .append(",\"command\":").append(process.command() == null ? "null" : Json.quote(process.command()))
                .append(",\"inode\":").append(process.inode())
                .append(",\"pgoff\":").append(process.pgoff())
                .append(",\"pgcnt\":").append(process.pgcnt())
                .append(",\"address\":\"0x").append(Long.toHexString(process.address())).append("\"")
                .append(",\"perms\":").append(Json.quote(process.perms())).append('}');
        }
        return out.append("]}").toString();
    }

    static String text(final FailureReport report, final LongFunction<String> paths)
    {
        final StringBuilder out = new StringBuilder(256);
        out.append("event ").append(escape(report.event().json(), false)).append('\n');
        final String where = report.region() == null ? "" : " of " + escape(report.region().name());
        switch (report.verdict())
        {
            case OUTSIDE_DEVICES:
                out.append(String.format("  outside every device: %d bytes at phys 0x%x%n", report.length(), report.phys()));
                return out.toString();
            case DEVICE_METADATA_AREA:
                out.append(String.format("  in the metadata area%s: %d bytes at phys 0x%x (not recoverable)%n", where,
                    report.length(), report.phys()));
                return out.toString();
            case OUTSIDE_FILESYSTEM:
                out.append(String.format("  on %s but outside the indexed filesystem: %d bytes at phys 0x%x%n",
                    escape(report.region().name()), report.length(), report.phys()));
                return out.toString();
            default:
                break;
        }
        out.append(String.format("  mapped: %s device %s, device bytes [%d, %d) (%d bytes)%n", escape(report.region().name()),
            deviceName(report.device()), report.deviceOffset(), report.deviceOffset() + report.length(),
            report.length()));
        for (int i = 0; i < report.killCount(); i++)
        {
            final String path = paths.apply(report.killInode(i));
            final String flags = RecordFormat.flagNames(report.killFlags(i)).replace("\"", "");
            out.append(String.format("  kill    inode %d pgoff %d pgcnt %d%s%s%s%n", report.killInode(i),
                report.killPgoff(i), report.killPgcnt(i), flags.isEmpty() ? "" : " " + flags,
                report.mappingShift() > FailureEvent.PAGE_SHIFT ? " (mapping: pgoff " + report.killPgoffExpanded(i) +
                    " pgcnt " + report.killPgcntExpanded(i) + ")" : "",
                path == null ? "" : " " + escape(path)));
        }
        for (int i = 0; i < report.fatalCount(); i++)
        {
            // an index built from forward maps knows only file data: what it calls unknown may be metadata the
            // filesystem shuts down on, or free space
            out.append(String.format("  fatal   %s device bytes [%d, %d): %s, %s%n",
                Owner.toString(report.fatalOwner(i)), report.fatalDeviceOffset(i),
                report.fatalDeviceOffset(i) + report.fatalLength(i), structure(report.fatalOwner(i)),
                report.fatalOwner(i) == Owner.UNKNOWN ? "metadata or free space: fatal if metadata" :
                    "XFS shuts down"));
        }
        for (int i = 0; i < report.repairCount(); i++)
        {
            final long offset = report.repairDeviceOffset(i);
            final long length = report.repairLength(i);
            final String range = String.format("device bytes [%d, %d)", offset, offset + length);
            switch (report.repairKind(i))
            {
                case FREE:
                    final long first = offset & -PAGE_SIZE;
                    out.append(String.format("  repair  free      %s: zero it with a recovery write of [%d, %d)%n", range,
                        first, (offset + length + PAGE_SIZE - 1) & -PAGE_SIZE));
                    break;
                case UNWRITTEN:
                case DATA:
                    final String path = paths.apply(Owner.inode(report.repairOwner(i)));
                    out.append(String.format("  repair  %-9s %s: inode %d file bytes [%d, %d)%s%s%n",
                        report.repairKind(i).json(), range, Owner.inode(report.repairOwner(i)),
                        report.repairFileOffset(i), report.repairFileOffset(i) + length,
                        path == null ? "" : " " + escape(path),
                        report.repairKind(i) == RepairKind.UNWRITTEN ? " (unwritten: re-zero)" : " lost"));
                    break;
                case COW:
                    out.append(String.format("  repair  cow       %s: CoW staging, discardable%n", range));
                    break;
                default:
                    out.append(String.format("  repair  metadata  %s: %s (%s)%n", range,
                        Owner.toString(report.repairOwner(i)), structure(report.repairOwner(i))));
                    break;
            }
        }
        for (final ProcessMapping process : report.processes())
        {
            out.append(String.format("  process pid %d%s maps inode %d pgoff %d pgcnt %d at 0x%x (%s)%n", process.pid(),
                process.command() == null ? "" : " (" + escape(process.command()) + ")", process.inode(),
                process.pgoff(), process.pgcnt(), process.address(), escape(process.perms())));
        }
        return out.toString();
    }

    /**
     * A name as text output prints it, as {@code ls -b} does: a backslash doubled, a space as {@code "\\ "}, control
     * characters (C0, DEL, C1) as {@code \\n}, {@code \\t} and the like or as the octal of their UTF-8 bytes, and
     * the bytes of a name that are not UTF-8 ({@link io.daxrmap.failure.ProcMaps#fromBytes}: U+DC80..U+DCFF) as the
     * octal of the byte. So a file name can neither forge a line of the report, nor run into the words after it, nor
     * send escape sequences to the terminal, and the name can be recovered exactly.
     *
     * @param name a path, a command or a region's name.
     * @return the name itself if it needs no escaping (the common case allocates nothing more).
     */
    static String escape(final String name)
    {
        return escape(name, true);
    }

    /**
     * As {@link #escape(String)}, spaces kept as they are if {@code spaces} is false (an event line as it was read).
     */
    static String escape(final String name, final boolean spaces)
    {
        int i = 0;
        while (i < name.length() && !needsEscape(name.charAt(i), spaces))
        {
            i++;
        }
        if (i == name.length())
        {
            return name;
        }
        final StringBuilder out = new StringBuilder(name.length() + 8).append(name, 0, i);
        for (; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            switch (c)
            {
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '\r': out.append("\\r"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                case 0x07: out.append("\\a"); break;
                case 0x0b: out.append("\\v"); break;
                case ' ': out.append(spaces ? "\\ " : " "); break;
                default:
                    if (c >= NOT_UTF8_FIRST && c <= NOT_UTF8_LAST)
                    {
                        octal(out, c & 0xff); // a byte of a name that is not UTF-8
                    }
                    else if (!Character.isISOControl(c))
                    {
                        out.append(c);
                    }
                    else if (c < 0x80)
                    {
                        octal(out, c);
                    }
                    else
                    {
                        // U+0080..U+009F: two UTF-8 bytes, as ls -b shows them
                        octal(out, 0xc0 | (c >> 6));
                        octal(out, 0x80 | (c & 0x3f));
                    }
                    break;
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(final char c, final boolean spaces)
    {
        return c == '\\' || (spaces && c == ' ') || Character.isISOControl(c) ||
            (c >= NOT_UTF8_FIRST && c <= NOT_UTF8_LAST);
    }

    private static void octal(final StringBuilder out, final int value)
    {
        out.append('\\').append((char)('0' + ((value >> 6) & 7))).append((char)('0' + ((value >> 3) & 7)))
            .append((char)('0' + (value & 7)));
    }

    /**
     * What an owner's blocks are, in words.
     */
    static String structure(final long owner)
    {
        switch (Owner.kind(owner))
        {
            case Owner.KIND_DATA: return "file data of inode " + Owner.inode(owner);
            case Owner.KIND_ATTR: return "extended attribute blocks of inode " + Owner.inode(owner);
            case Owner.KIND_DATA_BMBT: return "extent map btree block of inode " + Owner.inode(owner);
            case Owner.KIND_ATTR_BMBT: return "attr fork extent map btree block of inode " + Owner.inode(owner);
            default: break;
        }
        return SPECIAL_STRUCTURES.getOrDefault(owner, "filesystem metadata");
    }

    private static String deviceName(final int device)
    {
        return DeviceNumber.major(device) + ":" + DeviceNumber.minor(device);
    }
}
