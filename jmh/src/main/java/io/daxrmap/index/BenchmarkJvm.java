package io.daxrmap.index;

/**
 * JVM flags every benchmark fork gets: no Chronicle analytics, the exports and opens Agrona and Chronicle need on
 * Java 17 (as the parent pom's {@code daxrmap.jvm.opens}), and Agrona's bounds checks off (tests run with them on).
 */
final class BenchmarkJvm
{
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    static final String HEAP = "-Xmx14g";
    static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String EXPORT_UNSAFE = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    static final String EXPORT_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    static final String OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private BenchmarkJvm()
    {
    }
}
