#!/bin/bash
# The probe is ../../2026-11-26-s16/probes/MutProbe11.java, compiled against the benchmarks jar: javac -cp JAR -d out MutProbe11.java
# Profiles: perf record -e cpu-clock -F 999 -g -- ./run.sh JAR cowRemap 1 50; JFR: ./run.sh JAR cowRemap 1 30 -XX:StartFlightRecording=filename=alloc.jfr,settings=profile
# usage: run.sh JAR KIND CYCLES ROUNDS [extra jvm flags]
jar=$1; shift; kind=$1; cycles=$2; rounds=$3; shift 3
exec java -Dchronicle.analytics.disable=true -Xmx14g -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer "$@" \
 --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED \
 --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
 --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 -cp out:$jar io.daxrmap.index.MutProbe11 $kind $cycles $rounds
