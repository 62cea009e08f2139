package io.daxrmap.cli;

import io.daxrmap.failure.FailureEvent;
import io.daxrmap.failure.FailureEvents;
import io.daxrmap.failure.FailureReport;
import io.daxrmap.failure.FailureService;
import io.daxrmap.failure.ProcMaps;
import io.daxrmap.failure.Regions;
import io.daxrmap.failure.SysfsRegions;
import io.daxrmap.format.FormatException;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap failure INDEX --regions FILE (--phys ADDR [--lsb N] | --events FILE)}: what a memory failure hits,
 * page granular for the kill path and byte granular for repair, and the processes that map the poisoned pages.
 */
@Command(name = "failure", mixinStandardHelpOptions = true,
    description = "Answer memory-failure events: the address_spaces and pgoffs to kill (as the kernel would), the " +
        "owners on which XFS shuts down, the byte-exact repair plan, and the processes mapping the pages.")
final class FailureCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Option(names = "--regions", paramLabel = "FILE", description = "regions file (JSON, DESIGN.md section 6)")
    private Path regionsFile;

    @Option(names = "--sysfs", paramLabel = "ROOT",
        description = "also discover regions from sysfs under ROOT (normally /sys); the regions file wins by name")
    private Path sysfsRoot;

    @Option(names = "--phys", paramLabel = "ADDR", description = "poisoned physical address (decimal or 0x hex)")
    private String phys;

    @Option(names = "--lsb", paramLabel = "N",
        description = "log2 of the error's granularity (MCE LSB); default 12, the whole page")
    private Integer lsb;

    @Option(names = "--events", paramLabel = "FILE", description = "events as JSON lines; - for standard input")
    private String events;

    @Option(names = "--json", description = "one JSON object per line per report")
    private boolean json;

    @Option(names = "--mapping-size", defaultValue = "4k", paramLabel = "SIZE",
        description = "expand the kill list to the mapping size: 4k, 2m (PMD) or 1g (PUD); default ${DEFAULT-VALUE}")
    private String mappingSize;

    @Option(names = "--proc", defaultValue = "/proc", paramLabel = "ROOT",
        description = "where to find processes' maps; default ${DEFAULT-VALUE}")
    private Path procRoot;

    @Option(names = "--no-processes", description = "do not look for the processes that map the pages")
    private boolean noProcesses;

    @Override
    public Integer call() throws Exception
    {
        if ((phys == null) == (events == null))
        {
            throw new ParameterException(spec.commandLine(), "give exactly one of --phys and --events");
        }
        if (lsb != null && phys == null)
        {
            throw new ParameterException(spec.commandLine(), "--lsb goes with --phys");
        }
        if (regionsFile == null && sysfsRoot == null)
        {
            throw new ParameterException(spec.commandLine(), "--regions FILE (or --sysfs ROOT) is required");
        }
        final int shift = mappingShift();
        final FailureEvent single = phys == null ? null : physEvent();
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            final PrintWriter err = spec.commandLine().getErr();
            // a damaged import put in place of the index is told once; events are answered from the one before
            final FailureService service = FailureService.of(index, regions(index)).mappingShift(shift)
                .onFollowError(ex -> err.println("daxrmap failure: cannot take in the index put in place of " +
                    indexDirectory + ", answering from the one before: " + Main.oneLine(String.valueOf(ex.getMessage()))))
                .onDirectoryGone(() -> err.println("daxrmap failure: warning: " +
                    Main.oneLine(indexDirectory.toString()) + " is gone (deleted or moved away), answering from the " +
                    "index taken in before; an index put there is taken in"));
            final PrintWriter out = spec.commandLine().getOut();
            final FailureReport report = new FailureReport();
            final FailureService.ReportHandler handler = answer ->
            {
                if (!noProcesses && answer.killCount() > 0)
                {
                    // Read afresh for each report: processes come and go while a stream of events is answered.
                    readMaps().match(answer, procRoot);
                }
                // the paths of the import the report was answered from, which the service holds until we are done
                out.print(json ? FailureReportFormat.json(answer, service::path) + "\n" :
                    FailureReportFormat.text(answer, service::path));
                // A daemon piping events in waits for each answer: a report must not sit in a buffer until EOF.
                out.flush();
                if (out.checkError())
                {
                    // the reader is gone (a closed pipe) or the disk full: answering more events helps no one
                    throw new Main.OutputFailed();
                }
            };
            try
            {
                if (single != null)
                {
                    service.report(single, report, handler);
                }
                else if ("-".equals(events))
                {
                    // bytes, line by line: each event is answered as its line arrives, and a line that is not UTF-8
                    // is named exactly (an InputStreamReader would decode ahead, or replace the byte silently)
                    read(new BufferedInputStream(System.in), service, report, handler);
                }
                else
                {
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(events))))
                    {
                        read(in, service, report, handler);
                    }
                }
            }
            finally
            {
                // the reports of the lines before a bad one are answers given: they reach the output before the error
                out.flush();
            }
        }
        return Main.EXIT_OK;
    }

    private void read(final InputStream buffered, final FailureService service, final FailureReport report,
        final FailureService.ReportHandler handler) throws IOException
    {
        final ReceivedBytes in = new ReceivedBytes(buffered);
        FailureEvents.read(in, events, (event, line) ->
        {
            try
            {
                // An event whose line had been received when the index was last looked at is answered from that
                // look: it is as new as a look now would be for it, and a burst of events costs one look. The bytes
                // received count what was read and what is waiting (the rest of a file, what a pipe holds).
                if (in.position > in.coveredByLook)
                {
                    in.coveredByLook = in.position + in.waiting();
                    service.report(event, report, handler);
                }
                else
                {
                    service.reportFromLastLook(event, report, handler);
                }
            }
            catch (final FailureService.BadEventException ex)
            {
                throw new FormatException(events, line, ex.field(), ex.getMessage(), ex);
            }
        });
    }

    private FailureEvent physEvent()
    {
        final long address = Units.parseNumber(phys, "--phys");
        final int bits = lsb == null ? FailureEvent.PAGE_SHIFT : lsb;
        if (bits < 0 || bits > 63)
        {
            throw new ParameterException(spec.commandLine(), "--lsb must be 0..63: lsb=" + bits);
        }
        return FailureEvent.physical(address, bits);
    }

    private int mappingShift()
    {
        switch (mappingSize.toLowerCase(Locale.ROOT))
        {
            case "4k": return FailureService.PAGE_MAPPING_SHIFT;
            case "2m": return FailureService.PMD_MAPPING_SHIFT;
            case "1g": return FailureService.PUD_MAPPING_SHIFT;
            default:
                throw new ParameterException(spec.commandLine(),
                    "--mapping-size must be 4k, 2m or 1g: mappingSize=" + mappingSize);
        }
    }

    private Regions regions(final FilesystemIndex index) throws IOException
    {
        Regions regions = new Regions(List.of());
        if (sysfsRoot != null)
        {
            regions = SysfsRegions.discover(sysfsRoot, device -> index.device(device) != null);
        }
        if (regionsFile != null)
        {
            regions = regions.with(Regions.read(regionsFile));
        }
        return regions;
    }

    private ProcMaps readMaps()
    {
        try
        {
            return ProcMaps.read(procRoot);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(procRoot + ": cannot list processes: " + ex.getMessage(), ex);
        }
    }

    /**
     * An input that counts the bytes read from it, and the bytes received before the last look at the index.
     */
    private static final class ReceivedBytes extends FilterInputStream
    {
        long position;
        long coveredByLook = -1;

        ReceivedBytes(final InputStream in)
        {
            super(in);
        }

        @Override
        public int read() throws IOException
        {
            final int b = in.read();
            if (b >= 0)
            {
                position++;
            }
            return b;
        }

        @Override
        public int read(final byte[] bytes, final int offset, final int length) throws IOException
        {
            final int read = in.read(bytes, offset, length);
            if (read > 0)
            {
                position += read;
            }
            return read;
        }

        @Override
        public long skip(final long n) throws IOException
        {
            final long skipped = in.skip(n);
            position += skipped;
            return skipped;
        }

        @Override
        public boolean markSupported()
        {
            return false;
        }

        /**
         * Bytes received and not yet read, as far as the input tells: none where it cannot (a FIFO or a pipe opened by
         * path answers available() with a seek it refuses), which only means looking at the index more often.
         */
        long waiting()
        {
            try
            {
                return Math.max(0, available());
            }
            catch (final IOException ex)
            {
                return 0;
            }
        }
    }
}
