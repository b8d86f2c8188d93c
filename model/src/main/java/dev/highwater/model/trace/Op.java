package dev.highwater.model.trace;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import java.util.Optional;

/**
 * One step of a trace. Every op may carry the result recorded after {@code =>}, which replay checks.
 */
public sealed interface Op permits Op.Alloc, Op.Free, Op.Drain, Op.Cache, Op.CacheInterleaved, Op.Writeback, Op.Anon,
    Op.Exit, Op.Kswapd, Op.Compact, Op.Sysctl {

    /** The result recorded in the trace ({@code => ok}), if any. */
    Optional<String> expected();

    /** The same op with another recorded result. */
    Op withExpected(Optional<String> expected);

    /** The CPU whose per-CPU lists the op uses: its {@code cpu=} for the ops that take one, else 0. */
    default int cpu() {
        return 0;
    }

    /**
     * {@code alloc #h [task=T] order=O gfp=G [ctx=C] [cpu=N] [count=K]}: K allocations of order O, all kept under
     * handle h. The result is {@code ok}, {@code fail}, or {@code ok=A fail=B} for a count with both.
     */
    record Alloc(String handle, int task, int order, Gfp gfp, Context context, int cpu, int count,
                 Optional<String> expected) implements Op {
        public Alloc {
            if (order < 0 || count < 1 || cpu < 0 || task < 0) {
                throw new IllegalArgumentException("order, cpu, task must be >= 0 and count >= 1");
            }
        }

        @Override
        public Op withExpected(Optional<String> e) {
            return new Alloc(handle, task, order, gfp, context, cpu, count, e);
        }
    }

    /**
     * {@code free #h [count=K] [cpu=N]}: free the K most recent allocations still held under h (all when count is
     * absent, written as 0), on CPU N's per-CPU lists.
     */
    record Free(String handle, int count, int cpu, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Free(handle, count, cpu, e);
        }
    }

    /** {@code drain}: drain_all_pages, every per-CPU list back to the buddy lists. */
    record Drain(Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Drain(e);
        }
    }

    /**
     * {@code cache read=N | write=N [cpu=C]}: N page-cache pages enter the file LRU, clean (read) or dirty (write),
     * each allocated order-0 with the mapping's GFP_HIGHUSER_MOVABLE in process context.
     */
    record Cache(int pages, boolean dirty, int cpu, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Cache(pages, dirty, cpu, e);
        }
    }

    /**
     * {@code cache read=N write=N [cpu=C]}: 2N page-cache pages in one step, clean and dirty alternating (clean first),
     * each allocated as a {@link Cache} page is. Reclaim can then free only every other page, which never merge: the
     * fragmenting fill the fuzz decoder lays out, one step instead of 2N (the properties are checked once, after it).
     */
    record CacheInterleaved(int pairs, int cpu, Optional<String> expected) implements Op {
        public CacheInterleaved {
            if (pairs < 1 || cpu < 0) {
                throw new IllegalArgumentException("pairs must be >= 1 and cpu >= 0");
            }
        }

        @Override
        public Op withExpected(Optional<String> e) {
            return new CacheInterleaved(pairs, cpu, e);
        }
    }

    /** {@code writeback [pages=N]}: the flusher writes N (0 = all) of the oldest dirty or under-writeback pages; they become clean. */
    record Writeback(int pages, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Writeback(pages, e);
        }
    }

    /** {@code anon task=T pages=N [cpu=C]}: task T faults N anonymous pages (GFP_HIGHUSER_MOVABLE, order 0). */
    record Anon(int task, int pages, int cpu, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Anon(task, pages, cpu, e);
        }
    }

    /** {@code exit task=T}: task T exits; its anonymous pages and swap entries are released. */
    record Exit(int task, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Exit(task, e);
        }
    }

    /** {@code kswapd}: kswapd runs balance_pgdat for the order and zone it was woken for (§8), if it was woken. */
    record Kswapd(Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Kswapd(e);
        }
    }

    /** {@code compact [order=N]}: kcompactd compacts every zone for order N (default: the order it was woken for, else pageblock order). */
    record Compact(int order, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Compact(order, e);
        }
    }

    /** {@code sysctl vm.NAME=VALUE}: min_free_kbytes, watermark_scale_factor, watermark_boost_factor, zone_reclaim_mode. */
    record Sysctl(String name, int value, Optional<String> expected) implements Op {
        @Override
        public Op withExpected(Optional<String> e) {
            return new Sysctl(name, value, e);
        }
    }
}
