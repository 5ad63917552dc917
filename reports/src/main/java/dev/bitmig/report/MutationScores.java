package dev.bitmig.report;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Mutation scores per package, read from PIT's mutations.xml (written by {@code mvn -Pmutation verify}). */
final class MutationScores {
    private MutationScores() {
    }

    /** One package: mutants killed (detected) of those generated. */
    record Score(String module, String pkg, int killed, int total) {
        int percent() {
            return total == 0 ? 0 : 100 * killed / total;
        }
    }

    static List<Score> read(String module, Path mutationsXml) throws IOException {
        Map<String, int[]> byPackage = new TreeMap<>();
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList mutations = f.newDocumentBuilder().parse(mutationsXml.toFile()).getElementsByTagName("mutation");
            for (int i = 0; i < mutations.getLength(); i++) {
                Element m = (Element) mutations.item(i);
                String cls = m.getElementsByTagName("mutatedClass").item(0).getTextContent();
                String pkg = cls.contains(".") ? cls.substring(0, cls.lastIndexOf('.')) : "";
                int[] c = byPackage.computeIfAbsent(pkg, k -> new int[2]);
                c[1]++;
                if ("true".equals(m.getAttribute("detected"))) {
                    c[0]++;
                }
            }
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(mutationsXml + ": not a PIT mutations report: " + e.getMessage(), e);
        }
        List<Score> out = new ArrayList<>();
        byPackage.forEach((p, c) -> out.add(new Score(module, p, c[0], c[1])));
        return out;
    }
}
