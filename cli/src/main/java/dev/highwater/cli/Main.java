package dev.highwater.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code highwater} command. Exit status: 0 held, 1 failed, 2 bad input. */
@Command(name = "highwater", mixinStandardHelpOptions = true, version = "highwater 0.1.0",
    description = "Fuzzes and model-checks the Linux page allocator, reclaim and OOM policy.",
    subcommands = {FuzzCommand.class, ReplayCommand.class, PresetsCommand.class, SearchCommand.class, BugsCommand.class, MinimizeCommand.class,
        dev.highwater.cli.kernel.KernelCommand.class, BenchCommand.class, CheckCommand.class,
        ExplainCommand.class, ReportCommand.class, StressCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --dedup class, as the help spells it
        // usage errors are bad input: exit 2, a message, no stack trace
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("highwater: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            ex.getCommandLine().getErr().println("summary: error=usage");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, r) -> {
            c.getErr().println("highwater: internal error: " + ex);
            c.getErr().println("summary: error=internal");
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
