package dev.highwater.stress.tests;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.highwater.model.Context;
import dev.highwater.model.MigrateType;
import dev.highwater.model.PageAllocator.FreeBlock;
import dev.highwater.stress.HistoricRace;
import dev.highwater.stress.Integrity;
import dev.highwater.stress.StressZone;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code unreserve_highatomic_pageblock} vs a per-CPU free of a page of the same pageblock: the race 4855e4a7f29d
 * ("mm: prevent double decrease of nr_reserved_highatomic", §6.5 row 2) fixed.
 *
 * <p>The zone holds the highatomic reserve at its cap (four pageblocks, HA = 16 pages), all allocated except in block
 * B, which has one allocated page P and three free pages on the HIGHATOMIC lists. Process context on CPU 0 frees P:
 * {@code free_unref_page} reads B's migratetype without the zone lock and caches it with the page on CPU 0's per-CPU
 * list (§4.5). Process context on CPU 1, in direct reclaim for a page fault, unreserves: under the zone lock it
 * decrements HA, retypes B to MOVABLE and moves B's free pages (§6.4) — but not P, which is on a per-CPU list. If the
 * free read the type first, the later drain puts P back on a HIGHATOMIC list of a MOVABLE block; the next unreserve
 * finds it there and, before the fix, decrements HA a second time for B. HA then under-counts, and the reserve grows
 * past its cap (the seed 002 report's "exceeded the limit by the race").
 *
 * <p>The arbiter plays what follows: {@code drain_all_pages}, unreserve until nothing is left to unreserve, then four
 * order-1 GFP_ATOMIC allocations that may reserve. Outcome {@code r1, r2, r3}: the {@link Integrity} code; HA minus
 * pageblock_nr_pages × (HIGHATOMIC pageblocks), in pageblocks (−1: one double decrease); HIGHATOMIC pageblocks beyond
 * what the cap allows.
 *
 * <p>The 6.x tests add {@code r4}: 1 if, after the drain, P sat on a HIGHATOMIC list of a block that is no longer
 * HIGHATOMIC — the stale page the fix's "still HIGHATOMIC?" check exists for (§6.6). Under linux-6.1 (per-CPU lists
 * keep the cached type, §4.5) that is the interleaving the fix must survive, so it is the interesting row; under
 * mainline a page leaving a per-CPU list takes its block's current type (6.10+, §4.6), so it is FORBIDDEN. The model
 * gives mainline 6.10–6.12's conditional decrement; 6.18+'s unconditional one with a WARN_ON_ONCE clamp (§6.4) is not
 * modelled, and with 6.10+'s drain it would have no stale page to act on here anyway.
 */
public final class UnreserveVsPcpFree {
    private UnreserveVsPcpFree() {
    }

    static final class Scenario {
        final StressZone z;
        final long p;
        int stale;

        Scenario(String preset) {
            z = new StressZone(preset, 1024, 2, 4, 1, 64);
            long reachable = z.highatomicReachable();
            long first = -1;
            for (int i = 0; i < 64 && (z.nrReservedHighatomic() < reachable || z.a.nrFreeHighatomic(0) > 0); i++) {
                long pfn = z.alloc("GFP_ATOMIC", 1, Context.SOFTIRQ, StressZone.CPU0);
                if (pfn < 0) {
                    throw new IllegalStateException("setup: atomic allocation failed");
                }
                z.hold(pfn, 1);
                if (first < 0) {
                    first = pfn;
                }
            }
            long b = first & ~((long) z.pbPages - 1);
            // 6.1+ (orders 1-3 on the per-CPU lists): a block refilled onto CPU 0's list before its pageblock was
            // reserved is not reachable by the loop above; take such HIGHATOMIC free blocks as compaction's
            // __isolate_free_page would (4.10+ keeps their blocks HIGHATOMIC), so only B has free highatomic pages
            z.a.drainAllPages();
            for (FreeBlock f : z.a.freeBlocks(0)) {
                if (f.list() == MigrateType.HIGHATOMIC && (f.pfn() & ~((long) z.pbPages - 1)) != b
                    && z.a.isolateFreePage(f.pfn(), f.order())) {
                    z.hold(f.pfn(), f.order());
                }
            }
            if (z.nrReservedHighatomic() != reachable || z.a.pageblockType(b) != MigrateType.HIGHATOMIC) {
                throw new IllegalStateException("setup: HA " + z.nrReservedHighatomic() + ", want " + reachable);
            }
            // B keeps P allocated; its other three pages go back to B's HIGHATOMIC lists
            p = first;
            z.release(first + 1, 0, StressZone.CPU1);
            long other = (first & 2) == 0 ? b + 2 : b;
            z.release(other, 1, StressZone.CPU1);
            z.a.drainAllPages();
            z.held.removeIf(h -> h[0] == p);
            if (z.a.nrFreeHighatomic(0) != 3) {
                throw new IllegalStateException("setup: " + z.a.nrFreeHighatomic(0) + " free highatomic pages, want 3");
            }
        }

        void cpu0Free() {
            z.a.freePages(p, 0, StressZone.CPU0);
        }

        void cpu1Unreserve() {
            z.a.unreserveHighatomicPageblock(z.ac("GFP_HIGHUSER_MOVABLE", 0, Context.PROCESS, StressZone.CPU1), false);
        }

        void arbiter(III_Result r) {
            z.a.drainAllPages();
            stale = 0;
            for (FreeBlock f : z.a.freeBlocks(0)) {
                if (f.list() == MigrateType.HIGHATOMIC && z.a.pageblockType(f.pfn()) != MigrateType.HIGHATOMIC) {
                    stale = 1; // P came back to a HIGHATOMIC list of a block the unreserve had retyped
                }
            }
            for (int i = 0; i < 8; i++) {
                if (!z.a.unreserveHighatomicPageblock(z.ac("GFP_HIGHUSER_MOVABLE", 0, Context.PROCESS,
                    StressZone.CPU1), false)) {
                    break;
                }
            }
            r.r2 = (int) (z.nrReservedHighatomic() / z.pbPages) - z.highatomicBlocks();
            for (int i = 0; i < 4; i++) {
                long pfn = z.alloc("GFP_ATOMIC", 1, Context.SOFTIRQ, StressZone.CPU1);
                if (pfn >= 0) {
                    z.hold(pfn, 1);
                }
            }
            long over = (long) z.highatomicBlocks() * z.pbPages - z.highatomicReachable();
            r.r3 = (int) Math.max(0, over / z.pbPages);
            r.r1 = Integrity.check(z);
        }

        /** The same, with {@code r4}: 1 if P sat on a HIGHATOMIC list of a block no longer HIGHATOMIC after the drain. */
        void arbiter(IIII_Result r) {
            III_Result three = new III_Result();
            arbiter(three);
            r.r1 = three.r1;
            r.r2 = three.r2;
            r.r3 = three.r3;
            r.r4 = stale;
        }
    }

    @JCStressTest
    @HistoricRace(name = "double-decrease", fix = "4855e4a7f29d", outcome = "0, -1, .*")
    @HistoricRace(name = "reserve-above-cap", fix = "4855e4a7f29d", outcome = "0, .*, [1-9]")
    @Description("linux-4.4 (4.4.1, before 4.4.121 took 4855e4a7f29d): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the free read B's type after the unreserve: accounting intact")
    @Outcome(id = "0, -1, 1", expect = ACCEPTABLE_INTERESTING, desc = "HISTORIC RACE: HA decremented twice for B, then the reserve grew one block past its cap")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Linux44 {
        final Scenario s = new Scenario("linux-4.4");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @HistoricRace(name = "double-decrease", fix = "4855e4a7f29d", outcome = "0, -1, .*")
    @HistoricRace(name = "reserve-above-cap", fix = "4855e4a7f29d", outcome = "0, .*, [1-9]")
    @Description("linux-4.8 (no 4855e4a7f29d): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the free read B's type after the unreserve: accounting intact")
    @Outcome(id = "0, -1, 1", expect = ACCEPTABLE_INTERESTING, desc = "HISTORIC RACE: HA decremented twice for B, then the reserve grew one block past its cap")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Linux48 {
        final Scenario s = new Scenario("linux-4.8");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-4.9 (4.9.y stable with 4855e4a7f29d): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "accounting intact, whichever read B's type first")
    @Outcome(id = "0, -1, .*", expect = FORBIDDEN, desc = "HA decremented twice for one pageblock (fixed by 4855e4a7f29d)")
    @Outcome(id = "0, .*, [1-9]", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Linux49 {
        final Scenario s = new Scenario("linux-4.9");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-4.10 (Minchan Kim's series): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "accounting intact, whichever read B's type first")
    @Outcome(id = "0, -1, .*", expect = FORBIDDEN, desc = "HA decremented twice for one pageblock (fixed by 4855e4a7f29d)")
    @Outcome(id = "0, .*, [1-9]", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Linux410 {
        final Scenario s = new Scenario("linux-4.10");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("linux-6.1 (4855e4a7f29d, per-CPU lists of orders 0-3): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "the free read B's type after the unreserve: accounting intact")
    @Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "the free read HIGHATOMIC first: P drained onto a HIGHATOMIC list of a MOVABLE block, and the still-HIGHATOMIC check kept HA right")
    @Outcome(id = "0, -1, .*, .*", expect = FORBIDDEN, desc = "HA decremented twice for one pageblock (fixed by 4855e4a7f29d)")
    @Outcome(id = "0, .*, [1-9], .*", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Linux61 {
        final Scenario s = new Scenario("linux-6.1");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            s.arbiter(r);
        }
    }

    @JCStressTest
    @Description("mainline (6.10+ size-aware unreserve; a per-CPU drain uses the block's current type): unreserve vs a per-CPU free of a page of the same block")
    @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "accounting intact; P drained to its block's current type")
    @Outcome(id = "0, -1, .*, .*", expect = FORBIDDEN, desc = "HA decremented twice for one pageblock (fixed by 4855e4a7f29d)")
    @Outcome(id = "0, .*, [1-9], .*", expect = FORBIDDEN, desc = "the highatomic reserve exceeded its cap")
    @Outcome(id = "0, 0, 0, 1", expect = FORBIDDEN, desc = "a page on a HIGHATOMIC list of a non-HIGHATOMIC block: 6.10+ frees to the block's current type (§4.6)")
    @Outcome(expect = FORBIDDEN, desc = "anything else: lost or double-handed page, counter drift, or an unexplained state")
    @State
    public static class Mainline {
        final Scenario s = new Scenario("mainline");

        @Actor
        public void cpu0Free() {
            s.cpu0Free();
        }

        @Actor
        public void cpu1Unreserve() {
            s.cpu1Unreserve();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            s.arbiter(r);
        }
    }
}
