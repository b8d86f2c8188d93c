package dev.highwater.model.policy;

/** Who may take pages from HIGHATOMIC lists after {@code __rmqueue} failed (kernel-semantics §5.1). */
public enum HighatomicFallback {
    /** ≤6.2: nobody (only order>0 HARDER requests try HIGHATOMIC, and they try it first). */
    NONE,
    /** 6.3–6.11: OOM victims (ALLOC_OOM). */
    OOM_ONLY,
    /** 6.12+ (281dd25c1a01) and late 6.1.y: OOM victims and ALLOC_NON_BLOCK requests, any order. */
    OOM_AND_NON_BLOCK
}
