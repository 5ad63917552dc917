package dev.bitmig.report;

import dev.bitmig.model.Policies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Argument vectors for the bitmig command line, drawn by a seeded generator: unknown commands and options, options
 * without their value, given twice or with a value that is not a number or out of range, unknown policies, missing or
 * extra operands, files that do not exist, directories instead of files, paths with a NUL, and a few tiny valid runs. Each vector says
 * whether it is bad input and which words the one-line error must name (one of them suffices).
 */
final class HostileArguments {
    private HostileArguments() {
    }

    /** What the command line must answer: exit 2 naming one of {@code culprits}, or a checked run (exit 0 or 1). */
    enum Expect { BAD_INPUT, CHECKED }

    record Argv(List<String> args, Expect expect, List<String> culprits, String what) {
        String[] array() {
            return args.toArray(String[]::new);
        }
    }

    /** Files the vectors point at: an existing file, a directory, and paths that do not exist. */
    record Places(Path file, Path directory, Path missing, Path underAFile) {
    }

    static final List<String> COMMANDS = List.of("check", "explore", "replay", "report", "policies", "kinds");

    static final List<String> UNKNOWN_WORDS = List.of("nonsense", "chek", "CHECK", "Check", "polices", "replays",
            "-", "---", "-x", "--bogus", "--Depth", "--dept", "--policy=", "--all=yes", "\u00fcn\u00efc\u00f6d\u00e9",
            "x".repeat(300), "%s%n", "*", "$HOME", "\\", "a b", "\t");

    static final List<String> NOT_NUMBERS = List.of("abc", "1.5", "1e3", "99999999999", "-99999999999", "0x10",
            "NaN", "Infinity", "1_000", "one", "--", "+-1", "1 2", "\u00b2", "0.0", "9223372036854775808");

    /** Names that are no policy in any case or spelling (qemu_upstream and QEMU-UPSTREAM are QEMU_10_0). */
    static final List<String> UNKNOWN_POLICIES = List.of("NOPE", "QEMU_10_0X", "QEMU", "QEMU UPSTREAM",
            "UPSTREAM_QEMU", "ALL", "\u00e9", "canary", "_");

    /** Options of check and explore that take a value, with values out of their range. */
    static final List<String[]> OUT_OF_RANGE = List.of(new String[] {"--depth", "-1"},
            new String[] {"--depth", "-2147483648"}, new String[] {"--clusters", "0"},
            new String[] {"--clusters", "-5"}, new String[] {"--clusters", "4097"},
            new String[] {"--clusters", "2147483647"}, new String[] {"--threads", "0"},
            new String[] {"--threads", "-1"}, new String[] {"--threads", "100000"},
            new String[] {"--threads", "2147483647"});

    static boolean isLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static <T> T pick(SplittableRandom r, List<T> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    static String policy(SplittableRandom r) {
        return pick(r, Policies.names().toJavaList());
    }

    /** A tiny valid check or explore: depth at most 1, at most 3 clusters, at most 3 chains. */
    static List<String> tinyRun(SplittableRandom r, String command) {
        List<String> a = new ArrayList<>(List.of(command, "--policy", policy(r), "--depth", "" + r.nextInt(2)));
        if (r.nextBoolean()) {
            a.addAll(List.of("--clusters", "" + (1 + r.nextInt(3))));
        }
        if (r.nextBoolean()) {
            a.addAll(List.of("--threads", "" + (1 + r.nextInt(2))));
        }
        if (command.equals("check")) {
            a.addAll(List.of("--tries", "" + r.nextInt(4), "--seed", "" + r.nextLong()));
        }
        if (r.nextBoolean()) {
            a.add("--json");
        }
        return a;
    }

    static Argv bad(String what, List<String> args, String... culprits) {
        return new Argv(args, Expect.BAD_INPUT, Arrays.asList(culprits), what);
    }

    static List<String> with(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(Arrays.asList(more));
        return a;
    }

    static Argv next(SplittableRandom r, Places p) {
        String cmd = r.nextBoolean() ? "check" : "explore";
        List<String> tiny = tinyRun(r, cmd);
        switch (r.nextInt(14)) {
            case 0 -> {
                String w = pick(r, UNKNOWN_WORDS);
                return bad("unknown command", List.of(w), w.strip().isEmpty() ? "" : w.strip());
            }
            case 1 -> {
                String w = pick(r, UNKNOWN_WORDS.stream().filter(x -> x.startsWith("-")).toList());
                String c = pick(r, COMMANDS);
                List<String> a = c.equals("replay") ? List.of(c, w, p.file().toString()) : List.of(c, w);
                String name = w.contains("=") ? w.substring(2, w.indexOf('=')) : w;
                return bad(w.contains("=") ? "an option with an empty or bad value" : "unknown option", a, name);
            }
            case 2 -> {
                String[] opts = {"--policy", "--depth", "--clusters", "--threads", "--tries", "--seed"};
                String o = opts[r.nextInt(opts.length)];
                return bad("option without its value", with(tiny, o), o);
            }
            case 3 -> {
                String o = pick(r, List.of("--depth", "--clusters", "--threads", "--tries", "--seed", "--policy"));
                String v = o.equals("--policy") ? policy(r) : "1";
                List<String> a = with(tiny, o, v, o, v);
                return bad("option given twice", a, o);
            }
            case 4 -> {
                String o = pick(r, List.of("--depth", "--clusters", "--threads", "--tries", "--seed"));
                // --seed is a long: eleven digits are a seed, not a mistake
                String v = pick(r, NOT_NUMBERS.stream().filter(x -> !o.equals("--seed") || !isLong(x)).toList());
                return bad("not a number", with(tiny, o, v), v.strip().isEmpty() ? o : v.strip(), o);
            }
            case 5 -> {
                String[] ov = pick(r, OUT_OF_RANGE);
                return bad("out of range", with(tiny, ov), ov[0].substring(2));
            }
            case 6 -> {
                String pol = pick(r, UNKNOWN_POLICIES);
                List<String> a = new ArrayList<>(tiny);
                a.set(a.indexOf("--policy") + 1, pol);
                return bad("unknown policy", a, pol.strip().isEmpty() ? "policy" : pol.strip());
            }
            case 7 -> {
                List<String> a = new ArrayList<>(tiny);
                int at = a.indexOf("--policy");
                a.remove(at + 1);
                a.remove(at);
                return bad("neither --policy nor --all", a, "--policy");
            }
            case 8 -> {
                return switch (r.nextInt(6)) {
                    case 5 -> bad("replay of a path that cannot be one", List.of("replay", "bad\u0000name.json"),
                            "bad");
                    case 0 -> bad("replay without a trace", List.of("replay"), "TRACE.json");
                    case 1 -> bad("replay with two traces", List.of("replay", p.file().toString(), "extra.json"),
                            "extra.json");
                    case 2 -> bad("replay of a missing file", List.of("replay", p.missing().toString()),
                            p.missing().getFileName().toString());
                    case 3 -> bad("replay of a directory", List.of("replay", p.directory().toString()),
                            p.directory().getFileName().toString());
                    default -> bad("replay of a path under a file", List.of("replay", p.underAFile().toString()),
                            p.underAFile().getFileName().toString());
                };
            }
            case 9 -> {
                return switch (r.nextInt(4)) {
                    case 0 -> bad("report into a file", List.of("report", "--out", p.file().toString(), "--depth",
                            "0"), "not a directory", p.file().getFileName().toString());
                    case 1 -> bad("report under a file", List.of("report", "--out", p.underAFile().toString(),
                            "--depth", "0"), p.underAFile().getFileName().toString());
                    case 2 -> bad("report with a bad depth", List.of("report", "--depth", pick(r,
                            List.of("-1", "x", "1.5", "99999999999"))), "depth", "-1", "x", "1.5", "99999999999");
                    default -> bad("report without the value of --out", List.of("report", "--out"), "--out");
                };
            }
            case 10 -> {
                String extra = pick(r, List.of("extra", "1", "x.json"));
                return bad("an operand no command takes", with(tiny, extra), extra);
            }
            case 11 -> {
                return new Argv(List.of(pick(r, List.of("--help", "-h", "--version", "-V", "policies"))),
                        Expect.CHECKED, List.of(), "help, version or the policy list");
            }
            case 12 -> {
                return bad("no command", List.of(), "command");
            }
            default -> {
                return new Argv(tiny, Expect.CHECKED, List.of(), "a tiny valid run");
            }
        }
    }
}
