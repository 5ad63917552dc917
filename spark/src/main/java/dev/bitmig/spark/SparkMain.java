package dev.bitmig.spark;

import dev.bitmig.report.Main;

/**
 * The main class for spark-submit: {@code bitmig explore --engine spark} with the arguments given, on the master
 * spark-submit names. Output and exit codes are the command line's.
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        String[] all = new String[args.length + 3];
        all[0] = "explore";
        all[1] = "--engine";
        all[2] = "spark";
        System.arraycopy(args, 0, all, 3, args.length);
        System.exit(Main.commandLine().execute(all));
    }
}
