package io.daxrmap.cli;

import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.store.FilesystemIndex;
import io.daxrmap.store.IndexStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code daxrmap verify INDEX [--against MOUNTPOINT]}: every block's checksum, the index's own invariants, and
 * agreement with the kernel; exit 1 listing the first differences, or naming the first damage found opening or
 * checking the index (a block or file whose checksum or header is wrong), which is a failed verification too. A path
 * that holds no index at all is bad input: exit 2.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check an index: every block's checksum, and its invariants: records tile the device, only file " +
        "data shares, shared flags, forward and reverse maps agree; with --against, agreement with the kernel's " +
        "GETFSMAP. Exit 1 with the first differences or the first damage (a checksum or header that is wrong); " +
        "exit 2 if INDEX is not an index directory.")
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
        try
        {
            return verify(out);
        }
        catch (final CorruptIndexException ex)
        {
            return damaged(out, ex);
        }
        catch (final UncheckedIOException ex)
        {
            if (ex.getCause() instanceof CorruptIndexException)
            {
                return damaged(out, (CorruptIndexException)ex.getCause()); // met on a block's first read
            }
            throw ex;
        }
    }

    /**
     * Damage found opening or checking an index is what verify looks for: a failed verification, its one line on
     * standard error as every refusal's, and the verdict on standard output. Unless there is no index at all.
     */
    private int damaged(final PrintWriter out, final CorruptIndexException ex) throws CorruptIndexException
    {
        if (!Files.isRegularFile(indexDirectory.resolve(IndexStore.FILE_NAME)))
        {
            throw ex; // not an index directory, or none: bad input
        }
        final PrintWriter err = spec.commandLine().getErr();
        err.println("daxrmap verify: " + ex.getMessage());
        err.flush();
        out.printf("%s: FAILED, damaged: %s%n", indexDirectory, ex.getMessage());
        out.flush();
        return Main.EXIT_VERIFY_FAILED;
    }

    private int verify(final PrintWriter out) throws Exception
    {
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
