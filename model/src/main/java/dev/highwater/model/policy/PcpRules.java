package dev.highwater.model.policy;

/** Per-CPU page list rules (kernel-semantics §4.5, table §4.6). */
public enum PcpRules {
    /** 2.6.32: order 0 only; batch from present/1024 capped at 512 KiB; high = 6 × batch. */
    V2_6_32(0, false, 128),
    /** 4.4–4.14: order 0 only; batch from managed/1024 capped at 512 KiB of pages; high = 6 × batch. */
    V4_4(0, false, 128),
    /** 4.19–5.12: as 4.4 with a 1 MiB cap. */
    V4_19(0, false, 256),
    /** 6.1–6.x: orders 0..3 (PAGE_ALLOC_COSTLY_ORDER); a pcp miss falls through to the buddy; high ≥ 4 × batch. */
    V6_1(3, true, 256);

    private final int maxOrder;
    private final boolean missFallsBackToBuddy;
    private final int capPages;

    PcpRules(int maxOrder, boolean missFallsBackToBuddy, int capPages) {
        this.maxOrder = maxOrder;
        this.missFallsBackToBuddy = missFallsBackToBuddy;
        this.capPages = capPages;
    }

    /** Highest order cached on the per-CPU lists. */
    public int maxOrder() {
        return maxOrder;
    }

    /** 6.1+: a NULL from the pcp path falls through to {@code rmqueue_buddy}. */
    public boolean missFallsBackToBuddy() {
        return missFallsBackToBuddy;
    }

    /**
     * {@code zone_batchsize}: b = min(pages/1024, cap)/4, at least 1, then rounddown_pow2(b + b/2) − 1.
     * Returns 0 for b = 1, which the caller turns into high 0 / batch 1.
     */
    public int batchSize(long pages) {
        long b = Math.min(pages / 1024, capPages);
        b = b / 4;
        if (b < 1) {
            b = 1;
        }
        long r = Long.highestOneBit(b + b / 2) - 1;
        return (int) r;
    }
}
