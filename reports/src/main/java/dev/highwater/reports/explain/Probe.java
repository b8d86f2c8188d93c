package dev.highwater.reports.explain;

import dev.highwater.model.Context;
import dev.highwater.model.Gfp;
import dev.highwater.model.GfpLayout;
import dev.highwater.model.GfpMask;
import java.util.List;

/**
 * A request asked of a zone snapshot ({@code explain --request}): would it succeed on this state, under this kernel's
 * rules? Written {@code order=N gfp=FLAGS [softirq]}, the trace format's words.
 *
 * @param order   the request's order
 * @param gfp     its GFP flags by name, resolved in the snapshot kernel's layout
 * @param context process, or softirq (an interrupt-context request: it cannot sleep)
 */
public record Probe(int order, Gfp gfp, Context context) {

    /**
     * Asked of a snapshot when no {@code --request} is given: the atomic requests of network receive (order 0, and
     * order 3 for jumbo frames or an order-3 slab), and a process's order-0 and order-3 requests (order 3 is
     * PAGE_ALLOC_COSTLY_ORDER, the largest that may OOM-kill).
     */
    public static final List<Probe> DEFAULTS = List.of(
        new Probe(0, Gfp.of("GFP_ATOMIC"), Context.SOFTIRQ),
        new Probe(3, Gfp.of("GFP_ATOMIC"), Context.SOFTIRQ),
        new Probe(0, Gfp.of("GFP_KERNEL"), Context.PROCESS),
        new Probe(3, Gfp.of("GFP_KERNEL"), Context.PROCESS));

    /** The highest order a request may have (MAX_ORDER up to 6.3 is 11: orders 0..10; arm64 64K goes to 13). */
    static final int MAX_ORDER = 13;

    public Probe {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be 0.." + MAX_ORDER + ", got " + order);
        }
        if (context != Context.PROCESS && context != Context.SOFTIRQ) {
            throw new IllegalArgumentException("a request runs in process or softirq context, not " + context);
        }
        if (context == Context.SOFTIRQ && gfp.resolve(GfpLayout.V6_3).canDirectReclaim()) {
            throw new IllegalArgumentException("order-" + order + " " + gfp + " may sleep (it may reclaim): it cannot"
                + " run in softirq");
        }
    }

    /**
     * Parses {@code order=N gfp=FLAGS [softirq]} (in any order; {@code process} is the default context).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Probe parse(String text) {
        Integer order = null;
        Gfp gfp = null;
        Context ctx = Context.PROCESS;
        for (String tok : text.strip().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            if (tok.startsWith("order=")) {
                try {
                    order = Integer.parseInt(tok.substring(6));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("order must be a number, got '" + tok.substring(6) + "'");
                }
            } else if (tok.startsWith("gfp=")) {
                gfp = Gfp.parse(tok.substring(4));
            } else if (tok.equals("softirq") || tok.equals("process")) {
                ctx = tok.equals("softirq") ? Context.SOFTIRQ : Context.PROCESS;
            } else {
                throw new IllegalArgumentException("unknown word '" + tok + "'; expected order=N gfp=FLAGS [softirq]");
            }
        }
        if (order == null || gfp == null) {
            throw new IllegalArgumentException("expected order=N gfp=FLAGS [softirq], e.g. 'order=3 gfp=GFP_ATOMIC"
                + " softirq', got '" + text.strip() + "'");
        }
        return new Probe(order, gfp, ctx);
    }

    /** {@code order-3 GFP_ATOMIC in softirq}. */
    String describe() {
        return "order-" + order + " " + gfp + (context == Context.SOFTIRQ ? " in softirq" : "");
    }

    /** The probe as a replay request, its flags resolved in {@code layout}. */
    Replay.Request request(GfpLayout layout) {
        GfpMask mask = gfp.resolve(layout);
        return new Replay.Request(mask, order, mask.migratetype(), context);
    }
}
