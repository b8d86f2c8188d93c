package dev.highwater.model;

/** Where an allocation runs. Interrupt contexts never get PF_MEMALLOC-style reserves or RT boosts (§3.3). */
public enum Context {
    PROCESS("process"),
    SOFTIRQ("softirq"),
    HARDIRQ("hardirq"),
    KSWAPD("kswapd");

    private final String traceName;

    Context(String traceName) {
        this.traceName = traceName;
    }

    public String traceName() {
        return traceName;
    }

    public boolean inInterrupt() {
        return this == SOFTIRQ || this == HARDIRQ;
    }

    public static Context parse(String s) {
        for (Context c : values()) {
            if (c.traceName.equals(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown context '" + s + "' (expected process, softirq, hardirq or kswapd)");
    }
}
