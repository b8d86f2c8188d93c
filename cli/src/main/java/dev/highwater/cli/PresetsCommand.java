package dev.highwater.cli;

import dev.highwater.model.policy.KernelPolicy;
import dev.highwater.model.policy.Presets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Lists the kernel presets. */
@Command(name = "presets", mixinStandardHelpOptions = true, description = "List the kernel policy presets.")
public final class PresetsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (KernelPolicy p : Presets.all()) {
            System.out.printf("%-14s %s%n", p.name(), p.description());
        }
        System.out.println("summary: presets=" + Presets.all().size());
        return 0;
    }
}
