package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;
import dev.highwater.properties.run.Outcome;
import dev.highwater.properties.run.TraceRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater bugs}: the known-bug catalog with the verdict of each bug's corpus trace under its pre-fix preset(s)
 * and under each fixed preset; ends with {@code summary: bugs=N reproduced=N fixed_clean=N}.
 */
@Command(name = "bugs", mixinStandardHelpOptions = true, description = "List the known-bug catalog and check each bug's corpus trace.")
public final class BugsCommand implements Callable<Integer> {
    // --rediscover: see Rediscovery
    @Option(names = "--corpus", defaultValue = "corpus", description = "corpus folder (default ${DEFAULT-VALUE})")
    Path corpus;

    @Option(names = "--rediscover", description = "for every sequential bug, fuzz its pre-fix preset from an empty corpus"
        + " (coverage-guided, Jazzer) until its property is violated, compare with uniform random search, and check that"
        + " the fixed presets stay clean for the same budget")
    boolean rediscover;

    @Option(names = "--budget", defaultValue = "60", description = "with --rediscover: seconds per hunt (default ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--runs", defaultValue = "1", description = "with --rediscover: runs per bug; times are medians (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--jobs", defaultValue = "0", description = "with --rediscover: hunts in parallel (default: the number of cores)")
    int jobs;

    @Option(names = "--bug", description = "with --rediscover: only these catalog bugs (comma-separated ids; default: every"
        + " sequential one)", split = ",")
    java.util.List<String> only = new java.util.ArrayList<>();

    @Option(names = "--out", defaultValue = "target/highwater", description = "with --rediscover: work folder (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (rediscover) {
            if (budget < 1 || runs < 1) {
                System.err.println("highwater bugs: --budget and --runs must be at least 1");
                System.out.println("summary: bugs=0 found=0 median_s=NaN random_found=0 fixed_clean=0 error=bad_input");
                return 2;
            }
            for (String id : only) {
                if (BugCatalog.all().stream().noneMatch(b -> b.id().equals(id) && b.sequential())) {
                    System.err.println("highwater bugs: no sequential catalog bug '" + id + "' (known: " + String.join(", ",
                        BugCatalog.all().stream().filter(KnownBug::sequential).map(KnownBug::id).toList()) + ")");
                    System.out.println("summary: bugs=0 found=0 median_s=NaN random_found=0 fixed_clean=0 error=unknown_bug");
                    return 2;
                }
            }
            int j = jobs > 0 ? jobs : Math.max(1, Runtime.getRuntime().availableProcessors());
            return new Rediscovery(budget, j, runs, out, only).run(System.out);
        }
        TraceRunner runner = TraceRunner.standard();
        int reproduced = 0;
        int fixedClean = 0;
        int missing = 0;
        System.out.printf("%-28s %-14s %-6s %-28s %s%n", "bug", "commit", "fixed", "property", "verdicts");
        int sequential = 0;
        for (KnownBug b : BugCatalog.all()) {
            if (!b.sequential()) {
                System.out.printf("%-28s %-14s %-6s %-28s %s%n", b.id(), b.commit(), b.fixedIn(), b.property(),
                    "not expressible as a sequential trace: " + b.note());
                continue;
            }
            sequential++;
            Path f = corpus.resolve(b.trace());
            Trace t;
            try {
                t = TraceParser.parseFile(f);
            } catch (TraceFormatException e) {
                System.err.println(e.getMessage());
                missing++;
                continue;
            } catch (IOException e) {
                System.err.println(f + ": cannot read (" + (Files.exists(f) ? e.getMessage() : "missing") + ")");
                missing++;
                continue;
            }
            List<String> verdicts = new ArrayList<>();
            boolean allBuggy = true;
            for (String name : b.buggy()) {
                KernelPolicy p = Presets.byName(name).orElseThrow();
                Outcome o = runner.run(t, p);
                boolean hit = o.violation().map(v -> v.property().equals(b.property())).orElse(false);
                allBuggy &= hit;
                verdicts.add(name + "=" + (hit ? "VIOLATED@" + o.violation().get().step()
                    : o.violation().map(v -> "other:" + v.property()).orElse("clean(!)")));
            }
            boolean allClean = true;
            for (String name : b.fixed()) {
                KernelPolicy p = Presets.byName(name).orElseThrow();
                Outcome o = runner.run(t, p);
                allClean &= o.violation().isEmpty();
                verdicts.add(name + "=" + o.violation().map(v -> "VIOLATED(!):" + v.property()).orElse("clean"));
            }
            if (allBuggy) {
                reproduced++;
            }
            if (allClean) {
                fixedClean++;
            }
            System.out.printf("%-28s %-14s %-6s %-28s %s%n", b.id(), b.commit().length() > 14
                ? b.commit().substring(0, 12) + ".." : b.commit(), b.fixedIn(), b.property(), String.join("  ", verdicts));
        }
        int n = BugCatalog.all().size();
        System.out.println("summary: bugs=" + n + " sequential=" + sequential + " reproduced=" + reproduced
            + " fixed_clean=" + fixedClean + (missing > 0 ? " missing_traces=" + missing : ""));
        if (missing > 0) {
            return 2;
        }
        return reproduced == sequential && fixedClean == sequential ? 0 : 1;
    }
}
