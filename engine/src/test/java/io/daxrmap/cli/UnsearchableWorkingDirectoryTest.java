package io.daxrmap.cli;

import io.daxrmap.source.LoopFilesystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user whose working directory is below a directory they may not search (root made it {@code 700} after they went
 * in) still replaces an index elsewhere: whether the working directory is in the index to replace is told without
 * failing on its ancestors, and is still told where it is. The CLI runs as {@code nobody} in a child JVM, from a
 * copy of the class path it may read. Needs root and setpriv: skipped with the reason outside CI, failed under
 * CI=true.
 */
class UnsearchableWorkingDirectoryTest
{
    private static final String HEADER = "EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH\n";
    private static final String WORKING = "the working directory is in it; the index takes its place by a rename, " +
        "which would leave the working directory deleted: name it from outside";

    @TempDir
    Path tempDir;

    private static String record(final long inode)
    {
        return "0,7,0,0,7,inode_" + inode + "_data,0,7,8\n";
    }

    @Test
    void shouldReplaceAnIndexElsewhereFromBelowADirectoryThatCannotBeSearched() throws Exception
    {
        LoopFilesystem.requireEnvironment("setpriv", "chown");
        final Path temp = tempDir.toRealPath();
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        final String classPath = readableClassPath(temp.resolve("cp"));
        final Path a = Files.createDirectories(temp.resolve("rvp/a"));
        final Path b = Files.createDirectories(a.resolve("b"));
        final Path out = Files.createDirectories(temp.resolve("out"));
        final Path tmp = Files.createDirectories(temp.resolve("tmp"));
        run("chown", "nobody:nogroup", out.toString(), tmp.toString());
        final Path one = Files.writeString(temp.resolve("one.csv"), HEADER + record(131));
        final Path two = Files.writeString(temp.resolve("two.csv"), HEADER + record(132));
        final Path index = out.resolve("idx");

        final Child made = asNobody(classPath, tmp, b, "import", one.toString(), "-o", index.toString());
        assertEquals(0, made.status, made.output);
        assertEquals(HEADER + record(131), CliRun.run("dump", index.toString()).out());

        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwx------"));
        final Child replaced = asNobody(classPath, tmp, b, "import", two.toString(), "-o", index.toString());
        assertEquals(0, replaced.status, replaced.output);
        assertFalse(replaced.output.contains("daxrmap import:"), replaced.output);
        assertEquals(HEADER + record(132), CliRun.run("dump", index.toString()).out());

        // from within the index, still refused, by the name the user gave
        final Child within = asNobody(classPath, tmp, index.resolve("device-7-0"), "import", one.toString(), "-o",
            "..");
        assertEquals(2, within.status, within.output);
        assertEquals("daxrmap import: ..: " + WORKING + "\n", within.output);
        assertEquals(HEADER + record(132), CliRun.run("dump", index.toString()).out());
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * This JVM's class path with every file on it (the jars of the local repository, which {@code nobody} may not
     * read) copied into {@code directory}; directories kept.
     */
    private static String readableClassPath(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final List<String> entries = new ArrayList<>();
        int n = 0;
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path path = Path.of(entry);
            if (Files.isRegularFile(path))
            {
                final Path copy = directory.resolve((n++) + "-" + path.getFileName());
                Files.copy(path, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                entries.add(copy.toString());
            }
            else
            {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** The CLI as {@code nobody}, in {@code directory}: its status and combined output. */
    private static Child asNobody(final String classPath, final Path tmp, final Path directory, final String... args)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
            "--clear-groups", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.equals("-ea"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-Djna.tmpdir=" + tmp, "-Duser.home=" + tmp,
            "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
            .redirectErrorStream(true);
        builder.environment().put("HOME", tmp.toString());
        final Process process = builder.start();
        process.getOutputStream().close();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        return new Child(process.exitValue(), output);
    }

    /** A child's exit status and combined output. */
    private record Child(int status, String output)
    {
    }

    private static void run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }
}
