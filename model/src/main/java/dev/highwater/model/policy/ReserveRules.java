package dev.highwater.model.policy;

/**
 * Which reserve-access regime a kernel has: how {@code gfp_to_alloc_flags} builds the slow-path
 * flags (kernel-semantics §3.3) and how {@code __zone_watermark_ok} reduces the minimum for them (§2.1).
 * The two changed together, so one switch covers both.
 */
public enum ReserveRules {
    /** 2.6.32: HARDER from "cannot wait" or an RT task; HIGH halves, HARDER takes a further quarter; no HA. */
    V2_6_32,
    /** 4.4–4.13: HARDER from __GFP_ATOMIC or an RT task; OOM victims get NO_WATERMARKS. */
    V4_4,
    /** 4.14–6.2 (cd04ae1e2dc8): as 4.4, but OOM victims get ALLOC_OOM (half of min) and "harder" = HARDER|OOM. */
    V4_14,
    /**
     * 6.3+ and late 6.1.y ("Discard __GFP_ATOMIC" ALLOC_* patches): NON_BLOCK from "cannot direct-reclaim",
     * MIN_RESERVE from __GFP_HIGH or an RT task, HIGHATOMIC = NON_BLOCK && order > 0; RESERVES flags skip HA.
     */
    V6_3
}
