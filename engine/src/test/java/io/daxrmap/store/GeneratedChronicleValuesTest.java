package io.daxrmap.store;

import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The class chronicle-values would generate and compile with javac at run time for chronicle-map's global state is
 * compiled with the engine instead ({@code src/main/java/net/openhft/chronicle/hash}): it must be exactly what the
 * chronicle-values on the classpath generates, and be the one a map uses.
 */
class GeneratedChronicleValuesTest
{
    private static final Path SOURCE =
        Path.of("src/main/java/net/openhft/chronicle/hash/VanillaGlobalMutableState$$Native.java");

    @Test
    void shouldHoldExactlyWhatChronicleValuesGenerates() throws Exception
    {
        final Class<?> model = Class.forName("net.openhft.chronicle.values.ValueModel");
        final Object valueModel = model.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
        final Method simpleName = model.getDeclaredMethod("simpleName");
        simpleName.setAccessible(true);
        final Method generate = Class.forName("net.openhft.chronicle.values.Generators")
            .getDeclaredMethod("generateNativeClass", model, String.class);
        generate.setAccessible(true);
        final String generated = (String)generate.invoke(null, valueModel, simpleName.invoke(valueModel) + "$$Native");
        assertEquals(generated, committedWithoutNotes(), "regenerate " + SOURCE + " for this chronicle-values");
    }

    @Test
    void shouldBeTheClassAMapUses()
    {
        assertEquals(Catalog.class.getProtectionDomain().getCodeSource().getLocation(),
            Values.nativeClassFor(VanillaGlobalMutableState.class).getProtectionDomain().getCodeSource().getLocation());
    }

    /** The committed source without the comment above its package line and the warnings it suppresses. */
    private static String committedWithoutNotes() throws IOException
    {
        final String text = Files.readString(SOURCE);
        return text.substring(text.indexOf("package ")).lines()
            .filter(line -> !line.startsWith("@SuppressWarnings("))
            .collect(Collectors.joining("\n", "", "\n"));
    }
}
