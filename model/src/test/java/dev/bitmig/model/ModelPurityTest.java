package dev.bitmig.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The model is immutable: no non-final fields, no mutable collections, anywhere in model/. */
class ModelPurityTest {

    private static List<Class<?>> modelClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(World.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.endsWith("package-info")) {
                    classes.add(Class.forName(name));
                }
            }
        }
        return classes;
    }

    @Test
    void everyFieldInTheModelIsFinal() throws Exception {
        List<String> mutable = new ArrayList<>();
        for (Class<?> c : modelClasses()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isFinal(f.getModifiers()) && !f.isSynthetic() && !c.isEnum()) {
                    mutable.add(c.getName() + "." + f.getName());
                }
            }
        }
        assertThat(mutable).isEmpty();
    }

    @Test
    void noFieldInTheModelHoldsAMutableCollectionOrArray() throws Exception {
        List<String> bad = new ArrayList<>();
        for (Class<?> c : modelClasses()) {
            for (Field f : c.getDeclaredFields()) {
                Class<?> t = f.getType();
                if (f.isSynthetic() || (c.isEnum() && f.getName().equals("$VALUES"))) {
                    continue;
                }
                if (Collection.class.isAssignableFrom(t) || Map.class.isAssignableFrom(t) || t.isArray()) {
                    bad.add(c.getName() + "." + f.getName() + " : " + t.getName());
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void theScanSeesTheWholeModel() throws Exception {
        assertThat(modelClasses()).contains(World.class, Spec.class, Transitions.class, CanaryPolicy.class);
    }
}
