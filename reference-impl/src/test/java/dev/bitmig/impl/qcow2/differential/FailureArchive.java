package dev.bitmig.impl.qcow2.differential;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;

/** A history as readable JSON, written when it disagrees and read back to replay it. */
final class FailureArchive<H> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Class<H> type;

    FailureArchive(Class<H> type) {
        this.type = type;
    }

    void write(H history, Path file) throws IOException {
        JSON.writeValue(file.toFile(), history);
    }

    H read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), type);
    }
}
