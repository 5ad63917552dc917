package dev.bitmig.impl.qcow2.differential;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random bitmap names: short ASCII, non-ASCII (accents, CJK, emoji, combining marks), and long ones around QEMU's
 * limit of 1023 bytes of UTF-8, a few beyond it. A name never starts with '-' (qemu-img would read an option).
 */
final class Names {
    private static final String ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:,+ @#";
    private static final String[] UNICODE = {
        "é", "ü", "ß", "日本", "ビット", "🙂", "e\u0301", "Ω", "ж", "ñ", "中"};
    private final SplittableRandom random;
    private final boolean unicode;
    private final List<String> used = new ArrayList<>();
    private final List<String> live = new ArrayList<>();

    /** {@code unicode}: whether non-ASCII names may be generated at all (they reach QEMU on its command line). */
    Names(SplittableRandom random, boolean unicode) {
        this.random = random;
        this.unicode = unicode;
    }

    /** Mostly the name of a bitmap that was added and not removed since, else any name used before, or a new one. */
    String pick() {
        int r = random.nextInt(20);
        if (!live.isEmpty() && r < 17) {
            return live.get(random.nextInt(live.size()));
        }
        if (!used.isEmpty() && r < 19) {
            return used.get(random.nextInt(used.size()));
        }
        return fresh();
    }

    /** A bitmap of this name was (probably) added: {@link #pick()} prefers it. */
    void added(String name) {
        if (!live.contains(name)) {
            live.add(name);
        }
    }

    /** The bitmap of this name was (probably) removed. */
    void removed(String name) {
        live.remove(name);
    }

    /** A new name, remembered for {@link #pick()}. */
    String fresh() {
        int kind = random.nextInt(20);
        String name;
        if (kind < 12 || (!unicode && kind < 18)) {
            name = ascii(1 + random.nextInt(12));
        } else if (kind < 18) {
            name = ascii(random.nextInt(4)) + UNICODE[random.nextInt(UNICODE.length)] + ascii(random.nextInt(4));
        } else {
            name = longName(random.nextInt(8) == 0 ? 1024 + random.nextInt(80) : 900 + random.nextInt(124));
        }
        used.add(name);
        return name;
    }

    private String ascii(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            char c = ASCII.charAt(random.nextInt(ASCII.length()));
            sb.append(i == 0 && c == '-' ? 'x' : c);
        }
        return sb.toString();
    }

    /** A name of exactly {@code bytes} bytes of UTF-8. */
    private String longName(int bytes) {
        StringBuilder sb = new StringBuilder("L");
        while (true) {
            String piece = unicode && random.nextBoolean() ? UNICODE[random.nextInt(UNICODE.length)]
                    : ascii(1 + random.nextInt(8)).replace('-', '_');
            int have = sb.toString().getBytes(StandardCharsets.UTF_8).length;
            if (have + piece.getBytes(StandardCharsets.UTF_8).length > bytes) {
                return sb.append("x".repeat(bytes - have)).toString();
            }
            sb.append(piece);
        }
    }
}
