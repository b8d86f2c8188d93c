package dev.highwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with its usage and exit 0, under its full name. */
class HelpTest extends CommandTest {

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            collect(e.getValue(), p, out);
        }
    }

    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        assertThat(commands).contains(List.of("kernel", "conformance"), List.of("kernel", "reproduce"), List.of("check"));
        for (List<String> c : commands) {
            out.reset();
            err.reset();
            List<String> args = new ArrayList<>(c);
            args.add("--help");
            int rc = Main.run(args.toArray(String[]::new));
            assertThat(rc).as("highwater %s --help: %s", String.join(" ", args), stderr()).isZero();
            assertThat(stdout()).as(String.join(" ", args))
                .startsWith(("Usage: highwater " + String.join(" ", c)).trim());
        }
    }

    @Test
    void kernelWithoutASubcommandPrintsItsUsageUnderItsFullName() {
        assertThat(Main.run("kernel")).isZero();
        assertThat(stdout()).startsWith("Usage: highwater kernel [-hV] [COMMAND]");
    }
}
