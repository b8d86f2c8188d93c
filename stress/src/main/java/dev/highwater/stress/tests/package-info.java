/**
 * The JCStress tests of the optimized allocator ({@code FastAllocator}); each class is one scenario, each nested
 * class the scenario under one preset, and its {@code @Outcome} table is the spec.
 *
 * <p>Run them all ({@code --mode quick}: one fork of one JVM configuration each; {@code default}: JCStress's default
 * over all its configurations), or some:
 * <pre>
 * ./mvnw -B -q -pl stress -am package -DskipTests
 * java -jar stress/target/jcstress.jar --mode quick --tests UnreserveVsPcpFree
 * ./highwater stress --mode quick                 # the same through the CLI (builds the jar when stale)
 * </pre>
 * Sample output (quick mode, 2 cores under heavy load; the last line from a later run with 18 tests):
 * <pre>
 * dev.highwater.stress.tests.UnreserveVsPcpFree.Linux48  [NORMAL]  samples=17374  samples/s=8687  forbidden=0
 *     0, -1, 1            13170  Interesting            HISTORIC RACE: HA decremented twice for B, then the reserve ...
 *     0, 0, 0              4204  Acceptable             the free read B's type after the unreserve: accounting intact
 *     historic race double-decrease (fixed by 4855e4a7f29d), outcome 0, -1, .*: OBSERVED in 13170 samples
 *     historic race reserve-above-cap (fixed by 4855e4a7f29d), outcome 0, .*, [1-9]: OBSERVED in 13170 samples
 * dev.highwater.stress.tests.UnreserveVsPcpFree.Linux49  [NORMAL]  samples=21816  samples/s=10908  forbidden=0
 *     0, 0, 0             21816  Acceptable             accounting intact, whichever read B's type first
 * dev.highwater.stress.tests.UnreserveVsPcpFree.Linux61  [NORMAL]  samples=80108  samples/s=40054  forbidden=0
 *     0, 0, 0, 0          16594  Acceptable             the free read B's type after the unreserve: accounting intact
 *     0, 0, 0, 1          63514  Interesting            the free read HIGHATOMIC first: P drained onto a HIGHATOMIC list ...
 * summary: tests=18 forbidden=0 races_expected=4 races_observed=4 errors=0 samples=2987724
 * </pre>
 * Every test shares the FORBIDDEN rows of {@link dev.highwater.stress.Integrity} (a page handed to two owners,
 * counters that disagree with the lists, a page lost), checked by the {@code @Arbiter} once both actors are done.
 * Pre-fix tests carry {@link dev.highwater.stress.HistoricRace}: the run fails unless that outcome was observed.
 */
package dev.highwater.stress.tests;
