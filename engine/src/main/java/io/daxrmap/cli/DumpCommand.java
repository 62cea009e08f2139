package io.daxrmap.cli;

import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap dump INDEX [--format fsmap-csv|fsmap-verbose|json] [--range START:END] [--units ...]}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print every record of an index in GETFSMAP order, as xfs_io -c 'fsmap' prints it.")
final class DumpCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Option(names = "--format", defaultValue = "fsmap-csv", paramLabel = "FORMAT",
        description = "fsmap-csv, fsmap-verbose or json; default ${DEFAULT-VALUE}")
    private String format;

    @Option(names = "--range", paramLabel = "START:END",
        description = "only data-device records overlapping this inclusive range, in --units")
    private String range;

    @Option(names = "--units", defaultValue = "sectors", paramLabel = "UNITS",
        description = "sectors, bytes or blocks; default ${DEFAULT-VALUE}")
    private Units units;

    @Override
    public Integer call() throws Exception
    {
        final RecordFormat recordFormat = RecordFormat.parse(format);
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            print(spec, index, recordFormat, range, units);
        }
        return Main.EXIT_OK;
    }

    static void print(
        final CommandSpec spec, final FilesystemIndex index, final RecordFormat format, final String range,
        final Units units) throws IOException
    {
        final IndexRecords records;
        if (range == null)
        {
            records = new IndexRecords(index);
        }
        else
        {
            final DeviceGeometry data = index.dataDevice() == -1 ? null : index.device(index.dataDevice()).geometry();
            final long[] bytes = Units.parseRange(range, units.size(data == null ? 4096 : data.blockSize()));
            records = new IndexRecords(index, bytes[0], bytes[1]);
            // standard output stays empty there, as xfs_io's fsmap -d prints nothing; standard error says why
            if (data == null)
            {
                spec.commandLine().getErr().printf("daxrmap %s: no records: the index has no data device%n", spec.name());
            }
            else if (bytes[0] >= data.size())
            {
                spec.commandLine().getErr().printf("daxrmap %s: no records: the range starts past the data device's " +
                    "end (%d bytes)%n", spec.name(), data.size());
            }
        }
        final PrintWriter out = spec.commandLine().getOut();
        format.print(index, records, units, out);
        out.flush();
    }
}
