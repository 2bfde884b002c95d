/**
 * JMH benchmarks of the sans-I/O codec, with Netty's codec measured in the same run.
 *
 * <p>Build and run (a JDK &ge; 21; the forks add {@code --add-modules=jdk.incubator.vector}
 * themselves, so the Vector API paths are measured):
 *
 * <pre>
 *   mvn -Pjmh -DskipTests package
 *   java -jar target/benchmarks.jar 'io\.loomsocket\.jmh\..*' -rf json -rff /tmp/jmh-results.json
 * </pre>
 *
 * <p>Every benchmark reports the average time per operation in ns ({@code Mode.AverageTime}).
 * Throughput follows from the operation's size: for masking and UTF-8, GB/s = bytes per
 * operation / ns per operation; the frame benchmarks count one operation per frame
 * ({@code @OperationsPerInvocation(64)}), so million frames/s = 1000 / ns per frame. Each class
 * says what its operation is. {@code bench/jmh-smoke.sh} runs every benchmark briefly (for CI);
 * {@code docs/bench/jmh-summary.md} has the results of a full run.
 *
 * <p>To measure without the Vector API (the library's fallback), replace the forks' JVM
 * arguments: any {@code -jvmArgsAppend ...} on the command line replaces the annotations'.
 */
package io.loomsocket.jmh;
