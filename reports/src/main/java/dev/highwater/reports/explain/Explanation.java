package dev.highwater.reports.explain;

import dev.highwater.model.kernellog.KernelReport;
import java.util.List;
import java.util.Map;

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
     * True for the classes that explain an allocator failure (everything but not-allocator, buddyinfo profiles and
     * snapshots).
     */
    public boolean diagnosed() {
        return diagnosis != Diagnosis.NOT_ALLOCATOR && diagnosis != Diagnosis.BUDDYINFO
            && diagnosis != Diagnosis.SNAPSHOT;
    }
}
