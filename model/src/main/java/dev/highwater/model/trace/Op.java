package dev.highwater.model.trace;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import java.util.Optional;

/**
 * One step of a trace. Every op may carry the result recorded after {@code =>}, which replay checks.
 */
public sealed interface Op permits Op.Alloc, Op.Free, Op.Drain {

    /** The result recorded in the trace ({@code => ok}), if any. */
    Optional<String> expected();

    /** The same op with another recorded result. */
    Op withExpected(Optional<String> expected);

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
}
