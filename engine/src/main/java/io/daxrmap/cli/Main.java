package io.daxrmap.cli;

import io.daxrmap.format.FormatException;
import io.daxrmap.index.CorruptIndexException;
import io.daxrmap.index.InvalidMutationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The {@code daxrmap} command: index, import, dump, query, inspect and verify extent maps (DESIGN.md section 6).
 * Exit status 0 on success, 1 on a failed verification, 2 on bad usage or bad input with a one-line message. Running
 * out of memory is exit 2 too, with one line naming {@value #JAVA_OPTIONS_VARIABLE}: the input is too big for the heap
 * it was given, which the user can change, as bad usage; it says nothing of a verification.
 */
@Command(
    name = "daxrmap",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Reverse map of files on persistent-memory (DAX) devices.",
    subcommands = {
        IndexCommand.class, ImportCommand.class, DumpCommand.class, QueryCommand.class, InspectCommand.class, VerifyCommand.class,
        FailureCommand.class})
public final class Main implements Runnable
{
    /** Success. */
    public static final int EXIT_OK = 0;
    /** A verification found differences. */
    public static final int EXIT_VERIFY_FAILED = 1;
    /** Bad usage or bad input, an input too big for the memory given included. */
    public static final int EXIT_BAD_INPUT = 2;
    /** The environment variable whose JVM options the {@code daxrmap} launcher script passes to {@code java}. */
    static final String JAVA_OPTIONS_VARIABLE = "DAXRMAP_JAVA_OPTS";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Run the command and exit with its status.
     *
     * @param args command-line arguments.
     */
    public static void main(final String[] args)
    {
        // standard output through a stream that tells a reader gone (a closed pipe: EPIPE, as the JVM ignores
        // SIGPIPE) from other write errors, which a PrintStream keeps to itself
        final Remembering stdout = new Remembering(new FileOutputStream(FileDescriptor.out));
        final PrintStream out = new PrintStream(new BufferedOutputStream(stdout, 1 << 16), false);
        final int status = run(args, out, System.err, CommandLine.defaultFactory(), stdout::readerGone);
        out.flush();
        System.exit(status);
    }

    /**
     * An output stream that remembers whether a write failed because its reader is gone.
     */
    private static final class Remembering extends FilterOutputStream
    {
        private volatile boolean readerGone;

        Remembering(final OutputStream out)
        {
            super(out);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            try
            {
                out.write(bytes, offset, length);
            }
            catch (final IOException ex)
            {
                readerGone |= String.valueOf(ex.getMessage()).contains("Broken pipe");
                throw ex;
            }
        }

        @Override
        public void flush() throws IOException
        {
            try
            {
                out.flush();
            }
            catch (final IOException ex)
            {
                readerGone |= String.valueOf(ex.getMessage()).contains("Broken pipe");
                throw ex;
            }
        }

        boolean readerGone()
        {
            return readerGone;
        }
    }

    /**
     * Run the command.
     *
     * @param args command-line arguments.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        return run(args, out, err, CommandLine.defaultFactory());
    }

    /**
     * Run the command with its commands made by a factory: a test's, to give a command a stand-in for the kernel.
     *
     * @param args    command-line arguments.
     * @param out     standard output.
     * @param err     standard error.
     * @param factory makes the commands.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err,
        final CommandLine.IFactory factory)
    {
        return run(args, out, err, factory, () -> false);
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream, CommandLine.IFactory)}, told whether standard output's reader
     * is gone: then a failed write ends the command without a word (as a tool killed by SIGPIPE), where another write
     * error is said.
     */
    private static int run(final String[] args, final PrintStream out, final PrintStream err,
        final CommandLine.IFactory factory, final BooleanSupplier readerGone)
    {
        final CommandLine commandLine = new CommandLine(new Main(), factory);
        final PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        final PrintWriter outWriter =
            new PrintWriter(new OutputStreamWriter(failing(out), StandardCharsets.UTF_8), true);
        commandLine.setOut(outWriter);
        commandLine.setErr(errWriter);
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (!(ex instanceof OutputFailed) || !readerGone.getAsBoolean())
            {
                errWriter.println("daxrmap " + cmd.getCommandName() + ": " + oneLine(message(ex)));
            }
            return EXIT_BAD_INPUT;
        });
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            // one line, as every other refusal: the command at fault, what is wrong, where its usage is
            final String command = usageName(ex.getCommandLine());
            errWriter.println(command + ": " + oneLine(ex.getMessage()) + " (see '" + command + " --help')");
            return EXIT_BAD_INPUT;
        });
        try
        {
            final int status = commandLine.execute(args);
            // a PrintWriter keeps a write error to itself: output that did not reach its reader (a full disk, a
            // closed pipe) must not end as a success
            if (outWriter.checkError() && status == EXIT_OK)
            {
                if (!readerGone.getAsBoolean())
                {
                    errWriter.println("daxrmap" + commandName(commandLine) + ": " + OUTPUT_FAILED);
                }
                return EXIT_BAD_INPUT;
            }
            return status;
        }
        catch (final OutOfMemoryError ex)
        {
            // picocli hands a command's exceptions to the handler above and lets errors through; once this one has
            // left the command, what the command held is garbage and there is room again to say what happened
            errWriter.println("daxrmap" + commandName(commandLine) + ": " + outOfMemory(ex));
            return EXIT_BAD_INPUT;
        }
        catch (final InternalError ex)
        {
            if (!isMappedWriteFault(ex))
            {
                throw ex;
            }
            errWriter.println("daxrmap" + commandName(commandLine) + ": " + MAPPED_WRITE_FAILED);
            return EXIT_BAD_INPUT;
        }
    }

    /**
     * Said when a write through the mapping of an index file faulted. The index reserves its files' space before it
     * writes them ({@code FileSpace}), so a full filesystem is an ordinary error; but ext4 close to full can refuse
     * the first write fault of a page it holds the block of (reproduced with pwrite, fdatasync, then a store to a
     * page read before), and the kernel can only answer that with SIGBUS, which the JVM throws as an InternalError.
     */
    static final String MAPPED_WRITE_FAILED = "a write to a memory-mapped index file failed: its filesystem is full " +
        "or failing (ext4 refuses such writes a little before it is full); nothing was written in place of what was " +
        "there";

    /**
     * Whether an error is the JVM's report of a fault in a memory-mapped file (SIGBUS).
     */
    static boolean isMappedWriteFault(final InternalError ex)
    {
        // "a fault occurred in a recent unsafe memory access operation in compiled Java code", or "... in an unsafe
        // memory access operation" where the JVM was in native code (a JNA call) when it took the signal
        return String.valueOf(ex.getMessage()).contains("unsafe memory access operation");
    }

    /**
     * A PrintStream that throws what it failed to write, as a PrintStream keeps it to itself: so that the PrintWriter
     * over it knows ({@link PrintWriter#checkError}), where a daemon must stop and a command must not end as a success.
     */
    private static OutputStream failing(final PrintStream stream)
    {
        return new FilterOutputStream(stream)
        {
            @Override
            public void write(final byte[] bytes, final int offset, final int length) throws IOException
            {
                stream.write(bytes, offset, length);
                check();
            }

            @Override
            public void flush() throws IOException
            {
                stream.flush();
                check();
            }

            private void check() throws IOException
            {
                if (stream.checkError())
                {
                    throw new IOException(OUTPUT_FAILED);
                }
            }
        };
    }

    /**
     * Thrown by a command that stops because standard output could not be written ({@link #OUTPUT_FAILED}).
     */
    static final class OutputFailed extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        OutputFailed()
        {
            super(OUTPUT_FAILED);
        }
    }

    /** Said when standard output could not be written. */
    static final String OUTPUT_FAILED = "cannot write standard output (closed, or its disk full)";

    /**
     * What to say of an {@link OutOfMemoryError}: the input is too big for the memory the JVM was given, which the
     * {@code daxrmap} launcher takes from {@value #JAVA_OPTIONS_VARIABLE}.
     */
    static String outOfMemory(final OutOfMemoryError ex)
    {
        final String detail = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        if (detail.toLowerCase(Locale.ROOT).contains("direct buffer memory"))
        {
            return "out of memory: " + detail + "; raise the limit with " + JAVA_OPTIONS_VARIABLE +
                "=-XX:MaxDirectMemorySize=<SIZE>";
        }
        final String lower = detail.toLowerCase(Locale.ROOT);
        if (lower.contains("java heap space") || lower.contains("gc overhead limit"))
        {
            return "out of memory: " + detail + " (heap of at most " + (Runtime.getRuntime().maxMemory() >> 20) +
                " MiB); raise the heap with " + JAVA_OPTIONS_VARIABLE + "=-Xmx<SIZE>, e.g. -Xmx8g";
        }
        // threads, an array past the VM's limit, the index's own off-heap memory (mmap refused, or its limit): a
        // larger heap would not help
        return "out of memory: " + detail;
    }

    /**
     * The command a usage error was found in, as its user types it: {@code daxrmap import}, or {@code daxrmap}.
     */
    private static String usageName(final CommandLine commandLine)
    {
        return commandLine == null || commandLine.getParent() == null ?
            "daxrmap" : "daxrmap " + commandLine.getCommandName();
    }

    /**
     * The subcommand that ran, as {@code " import"}, or nothing if none was parsed.
     */
    private static String commandName(final CommandLine commandLine)
    {
        final CommandLine.ParseResult parsed = commandLine.getParseResult();
        return parsed == null || parsed.subcommand() == null ? "" : " " + parsed.subcommand().commandSpec().name();
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * A message as the one line the command contract promises: line breaks and other control characters in it (a
     * library's message over several lines, a path or an argument holding a newline) written as {@code \\n} and the
     * like, so that nothing is misread.
     */
    static String oneLine(final String message)
    {
        return FailureReportFormat.escape(message.strip(), false);
    }

    private static String message(final Exception ex)
    {
        if (ex instanceof UncheckedIOException && ex.getCause() instanceof CorruptIndexException)
        {
            return ex.getCause().getMessage(); // damage a reopened index's check met on first read
        }
        if (ex instanceof FormatException || ex instanceof CorruptIndexException ||
            ex instanceof InvalidMutationException)
        {
            return ex.getMessage();
        }
        if (ex instanceof NoSuchFileException)
        {
            return ex.getMessage() + ": no such file";
        }
        if (ex instanceof IOException || ex instanceof IllegalArgumentException || ex instanceof OutputFailed)
        {
            return ex.getMessage();
        }
        if (ex instanceof UncheckedIOException)
        {
            // the index's own failures to write its files (a full disk): what it was writing, then why
            final IOException cause = ((UncheckedIOException)ex).getCause();
            final String what = ex.getMessage();
            final String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            if (what == null || what.equals(cause.toString()))
            {
                return why; // wrapped without a message of its own
            }
            return what.contains(why) ? what : what + ": " + why;
        }
        return ex.toString();
    }

    /**
     * The version from the jar manifest.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"daxrmap " + (version == null ? "development" : version)};
        }
    }
}
