package io.daxrmap.index;

/**
 * JVM flags every benchmark fork gets: no Chronicle analytics, the exports Agrona needs on Java 17, and Agrona's
 * bounds checks off (tests run with them on).
 */
final class BenchmarkJvm
{
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    static final String HEAP = "-Xmx8g";

    private BenchmarkJvm()
    {
    }
}
