package dev.bitmig.report;

import dev.bitmig.check.ActionKinds;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** bitmig kinds: the action kinds that --without and --only take, one a line. */
@Command(name = "kinds", mixinStandardHelpOptions = true,
        description = "The action kinds, one a line, as --without and --only take them (the report's specification "
                + "has a rule for each).")
final class KindsCmd implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ActionKinds.ALL.forEach(out::println);
        out.flush();
        return Main.HOLDS;
    }
}
