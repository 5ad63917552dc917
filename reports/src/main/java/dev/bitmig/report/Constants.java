package dev.bitmig.report;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/** A constant a guard compares with (1, Granules.MAX_GRANULARITY, QemuErrors.MAX_NAME_BYTES), shown with its value. */
final class Constants {
    private Constants() {
    }

    static String shown(String code) {
        if (code.matches("-?\\d+")) {
            return code;
        }
        int dot = code.lastIndexOf('.');
        if (dot < 0) {
            return code;
        }
        try {
            Class<?> c = Class.forName("dev.bitmig.model." + code.substring(0, dot));
            Field f = c.getDeclaredField(code.substring(dot + 1));
            if (Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                return code + " (" + f.get(null) + ")";
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return code;
        }
        return code;
    }
}
