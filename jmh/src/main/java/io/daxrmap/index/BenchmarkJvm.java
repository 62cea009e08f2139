package io.daxrmap.index;

/**
 * JVM flags every benchmark fork gets: no Chronicle analytics, the exports and opens Agrona and Chronicle need on
 * Java 17 (as the parent pom's {@code daxrmap.jvm.opens}), and Agrona's bounds checks off (tests run with them on).
 * Public so that benchmarks in other packages ({@code io.daxrmap.failure}) fork with the same flags.
 */
public final class BenchmarkJvm
{
    /** No Chronicle analytics (no network). */
    public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    /** Agrona's bounds checks off, as in production. */
    public static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    /** Heap for the largest datasets (10^8 records and their generators). */
    public static final String HEAP = "-Xmx14g";
    /** Agrona on Java 17. */
    public static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String EXPORT_UNSAFE = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String EXPORT_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    /** Chronicle Map on Java 17. */
    public static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private BenchmarkJvm()
    {
    }
}
