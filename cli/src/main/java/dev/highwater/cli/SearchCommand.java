package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import dev.highwater.model.trace.Expectation;
import dev.highwater.model.trace.Trace;
import dev.highwater.model.trace.TracePrinter;
import dev.highwater.properties.PropertyCatalog;
import dev.highwater.properties.fuzz.Search;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code highwater search}: random search (the uncovered baseline) for a trace that violates a property under one
 * preset and stays clean under others; prints the minimized trace with its expect lines.
 */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Random search for a trace that violates a property under a preset and is clean under others.")
public final class SearchCommand implements Callable<Integer> {
    @Option(names = "--preset", required = true, description = "the preset expected to violate")
    String preset;

    @Option(names = "--property", required = true, description = "the property id")
    String property;

    @Option(names = "--clean", split = ",", description = "presets that must stay clean (comma-separated)")
    List<String> clean = new ArrayList<>();

    @Option(names = "--execs", defaultValue = "20000", description = "inputs to try (default ${DEFAULT-VALUE})")
    long execs;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-ops", defaultValue = "24", description = "longest trace (default ${DEFAULT-VALUE})")
    int maxOps;

    @Override
    public Integer call() {
        KernelPolicy bad = Presets.byName(preset).orElse(null);
        if (bad == null || PropertyCatalog.byId(property).isEmpty()) {
            System.err.println("highwater search: unknown preset or property (presets: " + String.join(", ", Presets.names())
                + "; properties: " + String.join(", ", PropertyCatalog.all().stream().map(p -> p.id()).toList()) + ")");
            System.out.println("summary: found=0 execs=0 error=bad_input");
            return 2;
        }
        List<KernelPolicy> good = new ArrayList<>();
        for (String c : clean) {
            Optional<KernelPolicy> p = Presets.byName(c);
            if (p.isEmpty()) {
                System.err.println("highwater search: unknown preset '" + c + "'");
                System.out.println("summary: found=0 execs=0 error=bad_input");
                return 2;
            }
            good.add(p.get());
        }
        Search.Finding f = new Search().find(bad, property, good, seed, execs, maxOps, 256);
        if (f == null) {
            System.out.println("summary: found=0 execs=" + execs);
            return 1;
        }
        List<Expectation> ex = new ArrayList<>();
        ex.add(Expectation.violation(Optional.empty(), property, OptionalInt.empty()));
        for (KernelPolicy g : good) {
            ex.add(Expectation.clean(Optional.of(g.name())));
        }
        Trace t = f.minimized().withExpectations(ex);
        System.out.print(TracePrinter.print(t));
        System.out.println("# " + f.message());
        System.out.println("summary: found=1 execs=" + f.execs() + " original_ops=" + f.original().ops().size()
            + " minimized_ops=" + f.minimized().ops().size());
        return 0;
    }
}
