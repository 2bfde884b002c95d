package io.loomsocket.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The figures a reliability test measured, as text in target/reliability (docs/reliability.md quotes them). */
final class Figures {

    private Figures() {}

    static Path dir() {
        return Path.of(System.getProperty("reliability.out", "target/reliability"));
    }

    static void write(String name, String text) {
        try {
            Files.createDirectories(dir());
            Files.writeString(dir().resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
