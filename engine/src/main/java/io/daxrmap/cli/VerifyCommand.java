package io.daxrmap.cli;

import io.daxrmap.index.ReverseIndex;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap verify INDEX [--against MOUNTPOINT]}: the index's own invariants, and agreement with the kernel;
 * exit 1 listing the first differences.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check an index's invariants: records tile the device, only file data shares, shared flags, " +
        "forward and reverse maps agree; with --against, agreement with the kernel's GETFSMAP. Exit 1 with the " +
        "first differences.")
final class VerifyCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "index directory")
    private Path indexDirectory;

    @Option(names = "--against", paramLabel = "MOUNTPOINT",
        description = "also compare, block by block, with the kernel's GETFSMAP of this mounted filesystem")
    private Path against;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (FilesystemIndex index = IndexStore.load(indexDirectory))
        {
            final IndexVerifier verifier = new IndexVerifier();
            for (final ReverseIndex device : index.devices().values())
            {
                device.verify(); // every block's checksum, before the invariants read them
                verifier.verify(device);
            }
            final KernelComparison kernel = new KernelComparison();
            if (against != null && verifier.differences().isEmpty())
            {
                kernel.compare(index, against);
            }
            if (verifier.differences().isEmpty() && kernel.differences().isEmpty())
            {
                out.printf("%s: OK, %d records on %d device(s)%s%n", indexDirectory, verifier.checked(),
                    index.devices().size(), against == null ? "" :
                        ", " + kernel.compared() + " records agree with GETFSMAP of " + against);
                out.flush();
                return Main.EXIT_OK;
            }
            out.printf("%s: FAILED, first differences:%n", indexDirectory);
            verifier.differences().forEach(line -> out.println("  " + line));
            kernel.differences().forEach(line -> out.println("  " + line));
            out.flush();
            return Main.EXIT_VERIFY_FAILED;
        }
    }
}
