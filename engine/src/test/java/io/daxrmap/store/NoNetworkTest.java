package io.daxrmap.store;

import io.daxrmap.index.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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
        final List<String> command = ChildJvm.command(List.of("-Djava.security.manager=allow"), NoNetworkCheck.class);
        assertTrue(command.contains("-Dchronicle.analytics.disable=true"), "every JVM we start disables analytics");
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("ATTEMPTS 0 []"), output);
    }
}
