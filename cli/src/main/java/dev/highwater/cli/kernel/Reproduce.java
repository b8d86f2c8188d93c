package dev.highwater.cli.kernel;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TraceFormatException;
import dev.highwater.model.trace.TraceParser;
import dev.highwater.properties.bugs.BugCatalog;
import dev.highwater.properties.bugs.KnownBug;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code highwater kernel reproduce <bug-id | file.trace>}: a catalog bug on a bug-present and a bug-absent kernel
 * built from Debian's source, beside the model under the matching presets; or a corpus trace on the unpatched build.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, description = "Show a catalog bug on real kernels built from Debian's linux-source: one "
    + "build with the bug, one without (kernel/patches), each beside the model. With a .trace file: replay it on the "
    + "unpatched build and mark it in its header when the real kernel agrees step by step.")
public final class Reproduce implements Callable<Integer> {
    @Parameters(paramLabel = "BUG|FILE", description = "a catalog bug id with a kernel scenario (${COMPLETION-CANDIDATES}"
        + " are listed by --list), or a .trace file")
    String target;

    @Option(names = "--cache", paramLabel = "DIR", description = "kernel cache (default: $HIGHWATER_KERNEL_CACHE or "
        + "~/.cache/highwater/kernels)")
    Path cache;

    @Option(names = "--mem", defaultValue = "256", description = "guest RAM in MB for a .trace replay (default "
        + "${DEFAULT-VALUE})")
    int mem;

    @Override
    public Integer call() {
        Path root = Path.of("").toAbsolutePath();
        boolean traceMode = target.endsWith(".trace") || Files.isRegularFile(Path.of(target));
        if (!traceMode && BugScenario.byId(target).isEmpty()) {
            String known = String.join(", ", BugScenario.all().stream().map(BugScenario::bugId).toList());
            boolean inCatalog = BugCatalog.byId(target).isPresent();
            System.err.println("highwater kernel reproduce: " + (inCatalog
                ? "catalog bug '" + target + "' has no real-kernel scenario yet"
                : "no catalog bug '" + target + "'") + "; bugs with a real-kernel scenario: " + known);
            System.out.println("summary: bug=" + target + " error=" + (inCatalog ? "no_scenario" : "unknown_bug"));
            return 2;
        }
        try {
            KernelEnv packaged = KernelEnv.find(root);
            KernelBuild.Inputs base = KernelBuild.unpatched(root);
            KernelBuild kb = new KernelBuild(cache != null ? cache : KernelBuild.defaultCache(), System.err);
            return traceMode ? trace(Path.of(target), packaged, kb, base) : bug(BugScenario.byId(target).get(), root,
                packaged, kb, base);
        } catch (KernelEnv.Missing | NoSuchFileException e) {
            System.err.println("highwater kernel reproduce: " + e.getMessage());
            System.out.println("summary: " + (traceMode ? "trace=" : "bug=") + target + " error=bad_input");
            return 2;
        } catch (IOException e) {
            System.err.println("highwater kernel reproduce: " + e.getMessage());
            System.out.println("summary: " + (traceMode ? "trace=" : "bug=") + target + " error=kernel");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** One boot of one build: the real and the model's classification. */
    record Side(String role, KernelBuild.Built build, KernelPolicy preset, BugScenario.Result real,
                BugScenario.Result model, long bootMillis) {
    }

    private int bug(BugScenario s, Path root, KernelEnv packaged, KernelBuild kb, KernelBuild.Inputs base)
            throws IOException, InterruptedException {
        KnownBug known = BugCatalog.byId(s.bugId()).orElseThrow();
        KernelBuild.Built unpatched = kb.build(base);
        KernelBuild.Built patched = kb.build(base.withPatches(List.of(KernelCommand.patchFile(root, s.patch()))));
        KernelBuild.Built withBug = s.patchMakesBugPresent() ? patched : unpatched;
        KernelBuild.Built withoutBug = s.patchMakesBugPresent() ? unpatched : patched;
        List<Side> sides = new ArrayList<>();
        sides.add(run("bug-present", withBug, s.presetWithBug(), s, packaged));
        sides.add(run("bug-absent", withoutBug, s.presetWithoutBug(), s, packaged));

        System.out.println("bug " + s.bugId() + ": " + known.commit() + " \"" + known.subject() + "\"");
        System.out.println("scenario (" + s.memMb() + " MB, watermark_boost_factor=0): " + String.join("; ", s.commands()));
        System.out.println("compares: " + s.compares());
        System.out.println("bug class: " + s.bugClass());
        for (Side side : sides) {
            System.out.printf("%n%-11s kernel %s %s (build %s, %s; boot-to-result %d ms)%n", side.role(),
                side.build().release(), side.build().inputs().label(), side.build().hash(),
                side.build().cached() ? "cached" : "built in " + side.build().buildMillis() / 1000 + " s",
                side.bootMillis());
            System.out.printf("  real:  %s%n", side.real());
            System.out.printf("  model: %s   [preset %s]%n", side.model(), side.preset().name());
        }
        Side present = sides.get(0);
        Side absent = sides.get(1);
        boolean shows = present.real().cls().equals(s.bugClass());
        boolean clean = !absent.real().cls().equals(s.bugClass());
        boolean agrees = present.model().cls().equals(present.real().cls())
            && absent.model().cls().equals(absent.real().cls());
        System.out.println();
        System.out.println((shows ? "PASS" : "FAIL") + " bug-present kernel shows " + s.bugClass());
        System.out.println((clean ? "PASS" : "FAIL") + " bug-absent kernel does not");
        System.out.println((agrees ? "PASS" : "FAIL") + " the model lands in the same class on both");
        System.out.println("summary: bug=" + s.bugId() + " present=" + present.real().cls() + " absent="
            + absent.real().cls() + " model_agrees=" + agrees + " boot_ms=" + present.bootMillis() + ","
            + absent.bootMillis() + " result=" + (shows && clean && agrees ? "reproduced" : "not_reproduced"));
        return shows && clean && agrees ? 0 : 1;
    }

    private static Side run(String role, KernelBuild.Built b, KernelPolicy preset, BugScenario s, KernelEnv packaged)
            throws IOException, InterruptedException {
        RealKernel k = new RealKernel(b.env(packaged), KernelCommand.WORK.resolve("build-" + b.hash()));
        RealKernel.Boot boot = k.boot(s.memMb(), s.sysctls(), s.commands());
        KernelReport r = KernelReport.parse(boot.lines());
        if (r.steps().size() < s.commands().size()) {
            throw new IOException(role + " kernel printed " + r.steps().size() + " of " + s.commands().size()
                + " steps; console tail:\n" + tail(boot.console()));
        }
        return new Side(role, b, preset, s.real(r), s.model(r, preset), boot.millis());
    }

    private static String tail(String console) {
        return console.length() > 3000 ? console.substring(console.length() - 3000) : console;
    }

    /** A corpus trace on the unpatched build; marks its header when every step the module can run agrees. */
    private int trace(Path file, KernelEnv packaged, KernelBuild kb, KernelBuild.Inputs base)
            throws IOException, InterruptedException {
        Trace t;
        try {
            t = TraceParser.parseFile(file);
        } catch (TraceFormatException e) {
            System.err.println(e.getMessage());
            System.out.println("summary: trace=" + file + " error=malformed");
            return 2;
        }
        KernelBuild.Built b = kb.build(base);
        KernelCommand.Comparison c = KernelCommand.compare(b.env(packaged), KernelCommand.WORK.resolve("build-"
            + b.hash()), t, mem, System.out);
        boolean real = c.unsupported() == 0 && c.disagreements() == 0 && c.onKernel() > 0;
        String mark = "# real-kernel: " + (real ? "reproduced" : "not reproduced") + " on " + b.release() + " built from "
            + b.inputs().sourceVersion() + " (unpatched), " + mem + " MB: " + c.onKernel() + " steps on the kernel, "
            + c.disagreements() + " disagree, " + c.unsupported() + " not supported by the module";
        System.out.println(mark.substring(2));
        writeMark(file, mark);
        System.out.println("summary: trace=" + file.getFileName() + " steps=" + t.ops().size() + " on_kernel="
            + c.onKernel() + " disagree=" + c.disagreements() + " unsupported=" + c.unsupported() + " real=" + real
            + " boot_ms=" + c.bootMillis());
        return c.disagreements() == 0 ? 0 : 1;
    }

    /** Replaces (or adds, after the leading comments) the "# real-kernel:" header line; temp file and rename. */
    static void writeMark(Path file, String mark) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("# real-kernel:")) {
                at = i;
                break;
            }
        }
        if (at >= 0) {
            lines.set(at, mark);
        } else {
            int i = 0;
            while (i < lines.size() && lines.get(i).startsWith("#")) {
                i++;
            }
            lines.add(i, mark);
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".reproduce", ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
