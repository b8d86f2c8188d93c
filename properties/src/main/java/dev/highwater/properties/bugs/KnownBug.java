package dev.highwater.properties.bugs;

import java.util.List;

/**
 * A historical kernel bug the harness must be able to find: the commit that fixed it, the presets that still have it
 * and those that must pass, the property it violates, and the corpus trace that shows it.
 *
 * @param id          short id, e.g. {@code highatomic-before-oom}
 * @param subject     the fix's commit subject
 * @param commit      the fix's hash (may be marked unverified in kernel-semantics §11)
 * @param fixedIn     the kernel release that first carried the fix
 * @param buggy       presets that still have the bug (the first is the trace's own)
 * @param property    the property the bug violates
 * @param fixed       presets that must stay clean on the same trace
 * @param trace       the corpus trace, relative to {@code corpus/}
 * @param sequential  whether the bug is expressible as a sequential trace (the rest need the stress tests)
 * @param note        one line on the mechanism
 */
public record KnownBug(String id, String subject, String commit, String fixedIn, List<String> buggy, String property,
                       List<String> fixed, String trace, boolean sequential, String note) {
    public KnownBug {
        buggy = List.copyOf(buggy);
        fixed = List.copyOf(fixed);
    }
}
