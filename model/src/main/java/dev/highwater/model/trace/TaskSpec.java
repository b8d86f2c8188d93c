package dev.highwater.model.trace;

/** A {@code task} header line: a process that can own memory and be chosen by the OOM killer. */
public record TaskSpec(int id, int oomScoreAdj, boolean rt) {
    public TaskSpec {
        if (id < 1) {
            throw new IllegalArgumentException("task ids start at 1 (0 means no task)");
        }
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) {
            throw new IllegalArgumentException("oom_score_adj must be -1000..1000, got " + oomScoreAdj);
        }
    }
}
