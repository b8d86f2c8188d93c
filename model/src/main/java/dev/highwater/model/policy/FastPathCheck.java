package dev.highwater.model.policy;

/** The order-0 shortcut of {@code zone_watermark_fast} (kernel-semantics §2.2). */
public enum FastPathCheck {
    /** ≤4.6: no shortcut, the fast path runs the full check at WMARK_LOW. */
    NONE,
    /** 4.7–5.8 (48ee5f3696f6): {@code F > M + R} — highatomic is not subtracted (documented "harmless" corner case). */
    IGNORES_HIGHATOMIC,
    /** 6.0+ (9282012fc0aa, with f27ce0e14088): {@code F − min(F, unusable) > M + R}. */
    CLAMPED_UNUSABLE
}
