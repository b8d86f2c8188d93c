package dev.highwater.reports;

import dev.highwater.model.kernellog.KernelLogException;
import dev.highwater.model.kernellog.KernelLogParser;
import dev.highwater.model.kernellog.KernelReport.Kind;
import dev.highwater.reports.explain.Explainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Mutated seed logs and /proc snapshots (cuts, garbage, re-wrapping, overlong numbers) parse or are refused with a KernelLogException,
 * nothing else. Its statistics ("outcome") show how many cases still parse into a snapshot.
 */
class KernelLogParserProperties {
    static List<String> seeds() {
        try {
            List<String> out = new ArrayList<>();
            Path dir = Path.of(System.getProperty("highwater.seeds", "../../shared/seeds"));
            try (var s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    out.add(Files.readString(p));
                }
            }
            // /proc snapshots: a real 6.18 capture, seed 000's board as 4.9 prints it, and that board appended to seed
            // 000's failure header (the snapshot standing in for the lost Mem-Info)
            String board = ProcSnapshotTest.fixture("linux-4.9-highatomic.txt");
            out.add(ProcSnapshotTest.fixture("linux-6.18-host.txt"));
            out.add(board);
            out.add(out.get(0).substring(0, out.get(0).indexOf("Mem-Info:")) + board);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<String> mutated() {
        List<String> seeds = seeds();
        return Arbitraries.integers().between(0, seeds.size() - 1).flatMap(i -> {
            String s = seeds.get(i);
            return Arbitraries.integers().between(0, s.length()).flatMap(cut ->
                Arbitraries.integers().between(0, 4).flatMap(kind ->
                    Arbitraries.strings().ofMaxLength(12).withChars("0123456789 :*()[]=kBKHUMEx\n").map(junk -> switch (kind) {
                        case 0 -> s.substring(0, cut);
                        case 1 -> s.substring(0, cut) + junk + s.substring(cut);
                        case 2 -> s.substring(0, cut) + s.substring(Math.min(s.length(), cut + junk.length() + 1));
                        case 3 -> s.substring(0, cut).replace(' ', '\n') + s.substring(cut);
                        // a run of digits no long holds, where a number may be
                        default -> s.substring(0, cut) + "9".repeat(25) + s.substring(cut);
                    })));
        });
    }

    @Property(tries = 400)
    void parseAndExplainNeverThrowAnythingElse(@ForAll("mutated") String log) {
        try {
            var reports = KernelLogParser.parse(log, "fuzz.log");
            Statistics.label("outcome").collect(reports.stream().anyMatch(r -> r.kind() == Kind.SNAPSHOT) ? "snapshot"
                : "parsed");
            Explainer.explainAll(reports);
        } catch (KernelLogException e) {
            Statistics.label("outcome").collect("refused");
            if (!e.getMessage().startsWith("fuzz.log:")) {
                throw new AssertionError("message without file:line: " + e.getMessage());
            }
        }
    }
}
