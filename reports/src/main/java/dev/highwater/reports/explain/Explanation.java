package dev.highwater.reports.explain;

import dev.highwater.model.kernellog.KernelReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Explainer} says about one report.
 *
 * @param report    the parsed report
 * @param diagnosis the class of the failure
 * @param preset    the preset matching the log's kernel version (empty for buddyinfo-only)
 * @param request   a short description of the request ({@code order-0 GFP_ATOMIC in softirq})
 * @param paragraph the explanation, one paragraph with the numbers
 * @param advice    replay-backed advice, one line each
 * @param numbers   the key numbers (pages) behind the paragraph, for tests and machine use
 */
public record Explanation(KernelReport report, Diagnosis diagnosis, String preset, String request, String paragraph,
                          List<String> advice, Map<String, Long> numbers) {
    public Explanation {
        advice = List.copyOf(advice);
        numbers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(numbers));
    }

    /**
     * Whether the {@code i}th request asked of a snapshot succeeds there (empty when it was not replayed: not a
     * snapshot, no zone it may use, or no free blocks per order for its order).
     */
    public Optional<Boolean> requestOk(int i) {
        Long ok = numbers.get("probe" + i + ".ok");
        return ok == null ? Optional.empty() : Optional.of(ok == 1);
    }

    /** How many requests asked of a snapshot would fail there. */
    public long failingRequests() {
        return numbers.entrySet().stream().filter(n -> n.getKey().startsWith("probe") && n.getKey().endsWith(".ok")
            && n.getValue() == 0).count();
    }

    /**
     * True for the classes that explain an allocator failure (everything but not-allocator, buddyinfo profiles and
     * snapshots).
     */
    public boolean diagnosed() {
        return diagnosis != Diagnosis.NOT_ALLOCATOR && diagnosis != Diagnosis.BUDDYINFO
            && diagnosis != Diagnosis.SNAPSHOT;
    }
}
