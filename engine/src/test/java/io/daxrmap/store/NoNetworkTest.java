package io.daxrmap.store;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No code of ours, nor Chronicle's analytics, opens a network connection: a child JVM with the project's flags
 * and every socket permission denied uses the catalog and a persistent index, and records no attempt.
 */
class NoNetworkTest
{
    @Test
    void shouldOpenNoConnectionWhenUsingTheCatalogAndTheIndex() throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.security.manager=allow");
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.equals("-ea"))
            {
                command.add(argument);
            }
        }
        assertTrue(command.contains("-Dchronicle.analytics.disable=true"), "every JVM we start disables analytics");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NoNetworkCheck.class.getName());
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("ATTEMPTS 0 []"), output);
    }
}
