package io.daxrmap.index;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs a test class's main with this JVM's flags (exports, opens,
 * {@code -D} properties, assertions) and class path: for tests that need a second process.
 */
public final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @param jvmOptions extra JVM options, before this JVM's own.
     * @param mainClass  the class whose main runs.
     * @param args       its arguments.
     * @return the command.
     */
    public static List<String> command(final List<String> jvmOptions, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.equals("-ea"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }
}
