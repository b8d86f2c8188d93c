package dev.highwater.model.trace;

import dev.highwater.model.Context;
import dev.highwater.model.NodeConfig;
import dev.highwater.model.ZoneSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a trace in the canonical text form that {@link TraceParser} reads back to an equal trace: header
 * comments, magic line, policy, node, zones, vm (only what is set), tasks, steps with their results, expectations.
 * Results are aligned in one column so a trace reads like a table. A group of steps repeated back to back (a
 * fragmenting fill of page-cache writes and reads, say) is written once in a {@code repeat N} block, with the steps it
 * stands for in a comment.
 */
public final class TracePrinter {
    private TracePrinter() {
    }

    public static String print(Trace t) {
        StringBuilder sb = new StringBuilder();
        for (String c : t.comments()) {
            sb.append(c.isEmpty() ? "#" : "# " + c).append('\n');
        }
        sb.append(TraceParser.MAGIC).append(' ').append(TraceParser.VERSION).append('\n');
        sb.append("policy ").append(t.policy()).append('\n');
        NodeConfig n = t.node();
        sb.append("node pageblock_order=").append(n.pageblockOrder()).append(" max_order=").append(n.maxOrder())
            .append(" cpus=").append(n.cpus());
        if (n.pcpBatchOverride() > 0) {
            sb.append(" pcp_batch=").append(n.pcpBatchOverride()).append(" pcp_high=").append(n.pcpHighOverride());
        }
        sb.append('\n');
        for (ZoneSpec z : n.zones()) {
            sb.append("zone ").append(z.type().kernelName()).append(" pages=").append(z.managedPages());
            if (z.presentPages() != z.managedPages()) {
                sb.append(" present=").append(z.presentPages());
            }
            if (z.bootManagedPages() != z.managedPages()) {
                sb.append(" boot_managed=").append(z.bootManagedPages());
            }
            sb.append('\n');
        }
        if (!t.vm().isDefault()) {
            VmSettings v = t.vm();
            List<String> parts = new ArrayList<>();
            v.minFreeKbytes().ifPresent(x -> parts.add("min_free_kbytes=" + x));
            v.watermarkScaleFactor().ifPresent(x -> parts.add("watermark_scale_factor=" + x));
            v.watermarkBoostFactor().ifPresent(x -> parts.add("watermark_boost_factor=" + x));
            v.lowmemReserveRatio().ifPresent(r -> parts.add("lowmem_reserve_ratio="
                + String.join(":", r.stream().map(String::valueOf).toList())));
            v.zoneReclaimMode().ifPresent(x -> parts.add("zone_reclaim_mode=" + x));
            sb.append("vm ").append(String.join(" ", parts)).append('\n');
        }
        for (TaskSpec task : t.tasks()) {
            sb.append("task ").append(task.id());
            if (task.oomScoreAdj() != 0) {
                sb.append(" oom_score_adj=").append(task.oomScoreAdj());
            }
            if (task.rt()) {
                sb.append(" rt");
            }
            sb.append('\n');
        }
        if (t.swapPages() > 0) {
            sb.append("swap pages=").append(t.swapPages()).append('\n');
        }
        List<String> bodies = new ArrayList<>();
        int width = 0;
        for (Op op : t.ops()) {
            String b = opText(op);
            bodies.add(b);
            if (op.expected().isPresent()) {
                width = Math.max(width, b.length());
            }
        }
        List<Op> ops = t.ops();
        for (int i = 0; i < bodies.size(); ) {
            int[] run = run(ops, i);
            if (run != null) {
                int period = run[0];
                int times = run[1];
                sb.append("repeat ").append(times).append("  # steps ").append(i + 1).append('-')
                    .append(i + period * times).append('\n');
                for (int k = 0; k < period; k++) {
                    sb.append("  ").append(bodies.get(i + k)).append('\n');
                }
                sb.append("end\n");
                i += period * times;
                continue;
            }
            Op op = ops.get(i);
            String b = bodies.get(i);
            if (op.expected().isPresent()) {
                sb.append(b).append(" ".repeat(width - b.length() + 2)).append("=> ").append(op.expected().get());
            } else {
                sb.append(b);
            }
            sb.append('\n');
            i++;
        }
        for (Expectation e : t.expectations()) {
            sb.append(expectText(e)).append('\n');
        }
        return sb.toString();
    }

    /** Longest group a {@code repeat} block holds. */
    static final int MAX_PERIOD = 4;
    /** Fewest repetitions worth a block. */
    static final int MIN_TIMES = 3;

    /**
     * The {@code repeat} block that starts at step i, as {period, times}, or null: the group of 1 to
     * {@link #MAX_PERIOD} steps whose back-to-back repetitions cover the most steps (the shorter group on a tie), at
     * least {@link #MIN_TIMES} times. Only steps without a recorded result and without a handle (alloc and free name a
     * new or a live one) go in a block, so that the block reads back as the same steps.
     */
    static int[] run(List<Op> ops, int i) {
        int bestPeriod = 0;
        int bestTimes = 0;
        for (int period = 1; period <= MAX_PERIOD && i + period <= ops.size(); period++) {
            boolean plain = true;
            for (int k = 0; k < period && plain; k++) {
                plain = repeatable(ops.get(i + k));
            }
            if (!plain) {
                break; // a longer group holds this step too
            }
            int times = 1;
            while (i + (times + 1) * period <= ops.size() && sameGroup(ops, i, i + times * period, period)) {
                times++;
            }
            if (times >= MIN_TIMES && times * period > bestTimes * bestPeriod) {
                bestPeriod = period;
                bestTimes = times;
            }
        }
        return bestPeriod == 0 ? null : new int[] {bestPeriod, bestTimes};
    }

    private static boolean repeatable(Op op) {
        return op.expected().isEmpty() && !(op instanceof Op.Alloc) && !(op instanceof Op.Free);
    }

    private static boolean sameGroup(List<Op> ops, int a, int b, int period) {
        for (int k = 0; k < period; k++) {
            if (!ops.get(a + k).equals(ops.get(b + k))) {
                return false;
            }
        }
        return true;
    }

    /** The op without its result, e.g. {@code alloc #3 order=2 gfp=GFP_ATOMIC ctx=softirq}. */
    public static String opText(Op op) {
        if (op instanceof Op.Alloc a) {
            StringBuilder s = new StringBuilder("alloc #").append(a.handle());
            if (a.task() != 0) {
                s.append(" task=").append(a.task());
            }
            s.append(" order=").append(a.order()).append(" gfp=").append(a.gfp());
            if (a.context() != Context.PROCESS) {
                s.append(" ctx=").append(a.context().traceName());
            }
            if (a.cpu() != 0) {
                s.append(" cpu=").append(a.cpu());
            }
            if (a.count() != 1) {
                s.append(" count=").append(a.count());
            }
            return s.toString();
        }
        if (op instanceof Op.Free f) {
            StringBuilder s = new StringBuilder("free #").append(f.handle());
            if (f.count() != 0) {
                s.append(" count=").append(f.count());
            }
            if (f.cpu() != 0) {
                s.append(" cpu=").append(f.cpu());
            }
            return s.toString();
        }
        if (op instanceof Op.Cache c) {
            return "cache " + (c.dirty() ? "write=" : "read=") + c.pages() + (c.cpu() != 0 ? " cpu=" + c.cpu() : "");
        }
        if (op instanceof Op.CacheInterleaved ci) {
            return "cache read=" + ci.pairs() + " write=" + ci.pairs() + (ci.cpu() != 0 ? " cpu=" + ci.cpu() : "");
        }
        if (op instanceof Op.Writeback w) {
            return w.pages() == 0 ? "writeback" : "writeback pages=" + w.pages();
        }
        if (op instanceof Op.Anon an) {
            return "anon task=" + an.task() + " pages=" + an.pages() + (an.cpu() != 0 ? " cpu=" + an.cpu() : "");
        }
        if (op instanceof Op.Exit e) {
            return "exit task=" + e.task();
        }
        if (op instanceof Op.Kswapd) {
            return "kswapd";
        }
        if (op instanceof Op.Compact c) {
            return c.order() < 0 ? "compact" : "compact order=" + c.order();
        }
        if (op instanceof Op.Sysctl sc) {
            return "sysctl vm." + sc.name() + "=" + sc.value();
        }
        return "drain";
    }

    public static String expectText(Expectation e) {
        StringBuilder s = new StringBuilder("expect");
        e.preset().ifPresent(p -> s.append(' ').append(p));
        if (e.clean()) {
            s.append(" clean");
        } else {
            s.append(" violation ").append(e.property().orElseThrow());
            e.step().ifPresent(n -> s.append(" at step ").append(n));
        }
        return s.toString();
    }
}
