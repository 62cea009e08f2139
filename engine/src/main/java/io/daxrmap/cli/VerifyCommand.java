package io.daxrmap.cli;

import io.daxrmap.index.ReverseIndex;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap verify INDEX}: the index's own invariants; exit 1 listing the first differences.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check an index's invariants: records tile the device, only file data shares, shared flags, " +
        "forward and reverse maps agree. Exit 1 with the first differences.")
final class VerifyCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            final IndexVerifier verifier = new IndexVerifier();
            for (final ReverseIndex device : index.devices().values())
            {
                verifier.verify(device);
            }
            if (verifier.differences().isEmpty())
            {
                out.printf("%s: OK, %d records on %d device(s)%n", indexDirectory, verifier.checked(),
                    index.devices().size());
                out.flush();
                return Main.EXIT_OK;
            }
            out.printf("%s: FAILED, first differences:%n", indexDirectory);
            verifier.differences().forEach(line -> out.println("  " + line));
            out.flush();
            return Main.EXIT_VERIFY_FAILED;
        }
    }
}
