package dev.highwater.model.policy;

/** Direct compaction before the first reclaim (kernel-semantics §7.1 step 3, §13). */
public enum EarlyCompaction {
    /** 2.6.32: no compaction in the model (the RHEL backports aside). */
    NONE,
    /** 4.4: async compaction for any order &gt; 0. */
    ORDER_GT0,
    /** 4.8–4.11: only costly orders (&gt; 3). */
    COSTLY,
    /** 4.12+: costly orders, or order &gt; 0 for non-MOVABLE requests. */
    COSTLY_OR_UNMOVABLE,
    /** 6.8+: as above, only with __GFP_IO (gfp_compaction_allowed). */
    COSTLY_OR_UNMOVABLE_WITH_IO
}
