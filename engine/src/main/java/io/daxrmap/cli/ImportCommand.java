package io.daxrmap.cli;

import io.daxrmap.format.DeviceNumber;
import io.daxrmap.format.FsmapCsvReader;
import io.daxrmap.format.FsmapRecordHandler;
import io.daxrmap.format.FsmapVerboseGeometry;
import io.daxrmap.format.FsmapVerboseReader;
import io.daxrmap.format.XfsInfo;
import io.daxrmap.format.XfsIo;
import io.daxrmap.model.Owner;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.FilesystemIndexBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * {@code daxrmap import FILE... -o INDEX [--format fsmap-csv|fsmap-verbose|fiemap]}.
 * <p>
 * An fsmap dump lists free space explicitly, so the devices end where their last records do; the bytes it lists
 * nothing for (ext4's GETFSMAP leaves some in-use blocks out) are unknown, not free.
 * Forward maps list file data only and do not tell the device's size: {@code --device-size} does (a whole number of
 * blocks, as a DAX device is), else the device ends with the block of the last extent. The options of the fiemap
 * format ({@code --inodes}, {@code --device}, {@code --device-size}) are refused with the fsmap formats, whose dumps
 * say all that themselves. Records not in whole blocks of {@code --block-size} are held as they are, with a warning
 * ({@link Unaligned}).
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Build an index from extent-map dumps: xfs_io -c 'fsmap -m' or 'fsmap -v' output, or forward " +
        "maps (xfs_io -c 'fiemap -v' and filefrag -v output, file data only). The options for fiemap only are " +
        "refused with the fsmap formats, whose dumps name devices, inodes and free space themselves.")
final class ImportCommand implements Callable<Integer>
{
    /** Options that say what forward maps do not; an fsmap dump says it itself. */
    private static final String[] FIEMAP_OPTIONS = {"--inodes", "--device", "--device-size"};

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "dump files, read in order")
    private List<Path> files;

    @Option(names = "-o", required = true, paramLabel = "INDEX",
        description = "index directory to write: new, empty or an index to replace; checked before anything is read")
    private Path output;

    @Option(names = "--format", defaultValue = "fsmap-csv", paramLabel = "FORMAT",
        description = "fsmap-csv (xfs_io fsmap -m), fsmap-verbose (xfs_io fsmap -v) or fiemap (xfs_io fiemap -v " +
            "or filefrag -v); default ${DEFAULT-VALUE}")
    private String format;

    @Option(names = "--inodes", paramLabel = "FILE",
        description = "fiemap only: inode numbers of the paths, lines 'INODE PATH' as find -printf '%%i %%P\\n' " +
            "prints, one inode per path; a hard-linked inode may be listed in the forward maps under each of its " +
            "paths, with the same extents, and is taken once; without it inodes are numbered from 1 in order of " +
            "appearance")
    private Path inodes;

    @Option(names = "--device", defaultValue = "0:0", paramLabel = "MAJOR:MINOR",
        description = "fiemap only: the device the extents lie on; default ${DEFAULT-VALUE}")
    private String device;

    @Option(names = "--device-size", paramLabel = "BYTES",
        description = "fiemap only: the size of that device (decimal or 0x hex), a whole number of blocks (of " +
            "--block-size; a size between two is refused); the " +
            "bytes past the last extent up to it are unknown, as all bytes no file maps; an extent past it is refused; " +
            "without it the device ends with the block of the last extent")
    private String deviceSize;

    @Option(names = "--xfs-info", paramLabel = "FILE",
        description = "the filesystem's xfs_info output (allocation groups, block size, stripe), kept with the index " +
            "so that dump --format fsmap-verbose prints the AG columns and flags xfs_io fsmap -v prints; its bsize is " +
            "the block size unless --block-size says another")
    private Path xfsInfo;

    @Option(names = "--block-size", defaultValue = "4096", paramLabel = "BYTES",
        description = "filesystem block size, the unit of dump's and query's --units blocks; default " +
            "${DEFAULT-VALUE}; records not in whole blocks of it are held as they are, with a warning")
    private int blockSize;

    @Override
    public Integer call() throws Exception
    {
        // before anything is read: a bad -o would otherwise be found only once every dump is
        IndexCommand.checkOutput(output);
        final XfsInfo geometry = xfsInfo == null ? null : XfsInfo.read(xfsInfo);
        if (geometry != null && geometry.blockSize() != blockSize)
        {
            if (spec.commandLine().getParseResult().hasMatchedOption("--block-size"))
            {
                throw new IllegalArgumentException("--block-size " + blockSize + " is not the block size " +
                    xfsInfo + " gives: bsize=" + geometry.blockSize());
            }
            blockSize = geometry.blockSize();
        }
        final FilesystemIndexBuilder builder = new FilesystemIndexBuilder(blockSize);
        final FsmapCsvReader csv = new FsmapCsvReader();
        final FsmapVerboseReader verbose = new FsmapVerboseReader();
        final Unaligned unaligned = new Unaligned();
        final FiemapImport fiemap = "fiemap".equals(format) ?
            new FiemapImport(inodes, device, deviceSize, blockSize, unaligned) : null;
        // the line of the record being read, so that a record the index refuses is named FILE:LINE
        final LongSupplier line = switch (format)
        {
            case "fsmap-csv" -> csv::line;
            case "fsmap-verbose" -> verbose::line;
            case "fiemap" -> fiemap::line;
            default -> throw new IllegalArgumentException("unknown format: format=" + format +
                " (fsmap-csv, fsmap-verbose, fiemap)");
        };
        if (fiemap == null)
        {
            refuseFiemapOptions();
        }
        final Progress progress = Progress.onTerminal("records read");
        // records of owners other than unknown: the index adds unknown records of its own (for the bytes no record
        // lists), so a count of those says nothing of records joined
        final long[] named = {0};
        final String[] reading = {null};
        final FsmapRecordHandler counted = (major, minor, deviceOffset, length, owner, fileOffset, flags) ->
        {
            // the fiemap reader looks at its extents itself, knowing which the kernel says need not be aligned
            if (fiemap == null && (deviceOffset % blockSize != 0 || length % blockSize != 0))
            {
                unaligned.add(reading[0], line.getAsLong(), 0, false);
            }
            builder.onRecord(major, minor, deviceOffset, length, owner, fileOffset, flags, line.getAsLong());
            progress.add(1);
            named[0] += owner == Owner.UNKNOWN ? 0 : 1;
        };
        if (fiemap != null)
        {
            builder.device(fiemap.device(), fiemap.deviceSize());
            builder.dataDevice(fiemap.device());
        }
        // forward maps list file data only, and an fsmap dump may leave in-use bytes out (ext4's GETFSMAP does):
        // the bytes no record lists are unknown, not free
        builder.unlistedUnknown();
        try
        {
            for (final Path file : files)
            {
                builder.source(file.toString());
                reading[0] = file.toString();
                switch (format)
                {
                    case "fsmap-csv":
                        csv.read(file, counted);
                        break;
                    case "fsmap-verbose":
                        verbose.read(file, counted);
                        break;
                    default:
                        fiemap.read(file, counted, builder.target());
                        break;
                }
            }
        }
        finally
        {
            progress.done();
        }
        final long records = progress.count();
        if (fiemap != null)
        {
            fiemap.catalogUnlisted(builder.target());
        }
        // the data device's AG columns are the filesystem's geometry as xfs_io saw it: rows that contradict it are a
        // damaged dump, and another geometry is not the filesystem's (a realtime device's groups are its own)
        final int data = builder.dataDevice();
        final String contradiction = verbose.agContradiction(data);
        if (contradiction != null)
        {
            throw new IllegalArgumentException(contradiction);
        }
        if (geometry != null)
        {
            final long agSectors = geometry.agBlocks() * geometry.blockSize() / XfsIo.SECTOR;
            if (verbose.agSectors(data) != -1 && verbose.agSectors(data) != agSectors)
            {
                throw new IllegalArgumentException("--xfs-info " + xfsInfo + " gives AGs of " + agSectors +
                    " sectors (agsize=" + geometry.agBlocks() + " bsize=" + geometry.blockSize() + "), but the AG " +
                    "columns of " + verbose.agSeenAt(data) + " put them at " + verbose.agSectors(data));
            }
            keepGeometry(builder, geometry);
        }
        try (FilesystemIndex index = IndexCommand.createIndex(builder, output))
        {
            spec.commandLine().getOut().printf("imported %d records from %d file(s) into %s (%d device(s))%n",
                records, files.size(), output, index.devices().size());
            if (builder.recordsPastFileOffsets() > 0)
            {
                spec.commandLine().getOut().printf("  %d records reach file byte 2^63 - 1, past what an index holds: " +
                    "the last byte of their blocks, past any file's end, is held as unknown%n",
                    builder.recordsPastFileOffsets());
            }
            if (fiemap == null)
            {
                warnIfJoined(index, named[0]);
            }
            unaligned.warn(spec.commandLine().getErr(), blockSize);
        }
        return Main.EXIT_OK;
    }

    /**
     * Keep xfs_info's geometry with the index, for the data device the records name, and size that device as the data
     * section: refused if its records reach past it.
     */
    private void keepGeometry(final FilesystemIndexBuilder builder, final XfsInfo geometry)
    {
        final int data = builder.dataDevice();
        if (data == -1)
        {
            throw new IllegalArgumentException("--xfs-info: no records name a data device to keep the geometry for");
        }
        final long dataBytes = geometry.dataBlocks() * geometry.blockSize();
        final long seen = builder.deviceEnd(data);
        if (seen > dataBytes)
        {
            throw new IllegalArgumentException("--xfs-info " + xfsInfo + " gives a data section of " + dataBytes +
                " bytes (blocks=" + geometry.dataBlocks() + "), but data device " + DeviceNumber.major(data) + ":" +
                DeviceNumber.minor(data) + " is " + seen + " bytes (its records, or --device-size)");
        }
        builder.device(data, dataBytes);
        builder.target().xfsGeometry(new FsmapVerboseGeometry(DeviceNumber.major(data), DeviceNumber.minor(data),
            geometry.agBlocks(), geometry.blockSize(), geometry.agCount(), geometry.stripeUnitBlocks(),
            geometry.stripeWidthBlocks()));
    }

    /**
     * The records of a dump not in whole blocks of {@code --block-size}. A filesystem's records are whole blocks, so
     * such a record was most likely dumped from a filesystem of smaller blocks than the index was told. It is held as
     * it is (the index holds bytes), but the index counts in blocks of {@code --block-size}: dump and query with
     * {@code --units blocks} refuse it, and the bytes between it and its neighbours. The user is told once, after the
     * import, with the first such record's place. Extents the kernel flags {@code not_aligned} or
     * {@code tail_packed} are off block boundaries by nature: they are told apart, without a block size to suggest.
     */
    static final class Unaligned
    {
        private final Kind records = new Kind();
        private final Kind flagged = new Kind();

        /** Records of one kind: how many, and the first. */
        private static final class Kind
        {
            long count;
            String first;
            long stated;
        }

        /**
         * @param file    the dump the record came from.
         * @param line    its line.
         * @param stated  the block size the dump says it counts in ({@code filefrag -v}), or 0 if it says none.
         * @param flagged the kernel flags the extent as one that need not lie on block boundaries.
         */
        void add(final String file, final long line, final long stated, final boolean flagged)
        {
            final Kind kind = flagged ? this.flagged : records;
            if (kind.count++ == 0)
            {
                kind.first = file + ":" + line;
                kind.stated = stated;
            }
        }

        void warn(final PrintWriter err, final int blockSize)
        {
            final String refused = "dump and query with --units blocks refuse them";
            if (records.count > 0)
            {
                err.printf("daxrmap import: warning: records not in whole blocks of %d bytes (--block-size): %d, the " +
                    "first at %s; held as they are, but %s; %s%n", blockSize, records.count, records.first, refused,
                    records.stated != 0 && records.stated != blockSize ? "that listing counts in blocks of " +
                    records.stated + " bytes: --block-size " + records.stated + " if that is the filesystem's" :
                    "give the block size of the filesystem they were dumped from");
            }
            if (flagged.count > 0)
            {
                err.printf("daxrmap import: warning: extents flagged not_aligned or tail_packed, not in whole blocks " +
                    "of %d bytes: %d, the first at %s; held as they are, but %s%n", blockSize, flagged.count,
                    flagged.first, refused);
            }
        }
    }

    /**
     * An fsmap dump's records of named owners and free space come out of the index as they went in, unless records
     * of one owner that touch in device and file offsets were joined (unknown records are not counted: the index adds
     * its own for the bytes no record lists). Then {@code dump} no longer prints what the kernel printed, and the user
     * is told so, with the reason, rather than finding out from a diff.
     */
    private void warnIfJoined(final FilesystemIndex index, final long read) throws IOException
    {
        final long[] held = new long[1];
        new IndexRecords(index).forEach((major, minor, deviceOffset, length, owner, fileOffset, flags) ->
            held[0] += owner == Owner.UNKNOWN ? 0 : 1);
        if (held[0] < read)
        {
            spec.commandLine().getErr().printf("daxrmap import: warning: %d records read are %d in the index " +
                "(unknown ones not counted): " +
                "records of one owner that touch in device and file offsets were joined%s%n", read, held[0],
                "fsmap-csv".equals(format) ? " (fsmap -m has no flags column: records the kernel kept apart by " +
                "their unwritten flag come in as one, written; import fsmap -v output to keep them)" : "");
        }
    }

    /**
     * An fsmap dump names its devices, inodes and every byte of them itself: an option that would say otherwise is
     * refused, not silently ignored.
     */
    private void refuseFiemapOptions()
    {
        for (final String option : FIEMAP_OPTIONS)
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(option))
            {
                throw new ParameterException(spec.commandLine(), option + " is for --format fiemap only: an fsmap " +
                    "dump names the devices, inodes and free space of every byte itself");
            }
        }
    }
}
