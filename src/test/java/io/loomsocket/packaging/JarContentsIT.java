package io.loomsocket.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The library and its applications are separate rooms: the artifact users depend on holds the
 * library only (and its module descriptor); the runnable jar of the README's commands holds the
 * applications, the CLI and the load tool besides.
 */
class JarContentsIT {

    private static final List<String> APP_PACKAGES = List.of("io/loomsocket/examples/", "io/loomsocket/cli/",
            "io/loomsocket/bench/");

    private static List<String> entries(Path jar) throws IOException {
        assertThat(jar).as("built by `mvn package`").exists();
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theLibraryJarHoldsTheLibraryOnly() throws IOException {
        Path jar = Path.of(System.getProperty("library.jar"));
        List<String> names = entries(jar);

        assertThat(names).contains("module-info.class", "io/loomsocket/WebSocket.class",
                "io/loomsocket/server/WebSocketServer.class", "io/loomsocket/client/WebSocketClient.class",
                "io/loomsocket/broadcast/BroadcastRegistry.class", "io/loomsocket/io/SocketSession.class");
        assertThat(names).as("no application classes in the library").noneMatch(n -> APP_PACKAGES.stream().anyMatch(n::startsWith));
        assertThat(names).as("no demo page in the library").noneMatch(n -> n.endsWith(".html"));
        try (JarFile f = new JarFile(jar.toFile())) {
            assertThat(f.getManifest().getMainAttributes().getValue("Main-Class")).as("the library is not an application").isNull();
        }
    }

    @Test
    void theRunnableJarHoldsTheApplicationsAndTheLibrary() throws IOException {
        Path jar = Path.of(System.getProperty("apps.jar"));
        List<String> names = entries(jar);

        assertThat(names).contains("io/loomsocket/cli/Main.class", "io/loomsocket/examples/DemoApp.class",
                "io/loomsocket/bench/Bench.class", "io/loomsocket/examples/demo.html", "io/loomsocket/WebSocket.class");
        assertThat(names).as("runs on the class path").doesNotContain("module-info.class");
        try (JarFile f = new JarFile(jar.toFile())) {
            assertThat(f.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.loomsocket.cli.Main");
        }
        assertThat(Files.size(jar)).isGreaterThan(Files.size(Path.of(System.getProperty("library.jar"))));
    }

    /** Attached beside the library jar: its sources and its Javadoc, of the library only. */
    @Test
    void sourcesAndJavadocJarsCoverTheLibraryOnly() throws IOException {
        Path library = Path.of(System.getProperty("library.jar"));
        String base = library.getFileName().toString().replaceFirst("\\.jar$", "");
        List<String> sources = entries(library.resolveSibling(base + "-sources.jar"));
        assertThat(sources).contains("module-info.java", "io/loomsocket/WebSocket.java",
                "io/loomsocket/protocol/Connection.java", "io/loomsocket/io/SocketSession.java");
        assertThat(sources).noneMatch(n -> APP_PACKAGES.stream().anyMatch(n::startsWith));

        // Module layout (io.loomsocket/io/loomsocket/...) when javadoc sees the module descriptor
        // in target/classes, flat otherwise: compare without the module directory.
        List<String> javadoc = entries(library.resolveSibling(base + "-javadoc.jar")).stream()
                .map(n -> n.startsWith("io.loomsocket/") ? n.substring("io.loomsocket/".length()) : n)
                .toList();
        assertThat(javadoc).contains("index.html", "io/loomsocket/WebSocket.html",
                "io/loomsocket/server/WebSocketServer.html", "io/loomsocket/broadcast/BroadcastRegistry.html",
                "io/loomsocket/client/WebSocketClient.html");
        assertThat(javadoc).as("the exported packages only").noneMatch(n -> n.startsWith("io/loomsocket/io/"));
        assertThat(javadoc).noneMatch(n -> APP_PACKAGES.stream().anyMatch(n::startsWith));
        try (JarFile f = new JarFile(library.resolveSibling(base + "-javadoc.jar").toFile())) {
            String index = new String(f.getInputStream(f.getEntry("index.html")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(index).as("the overview's three programs").contains("An echo server", "A broadcast room", "A client");
        }
    }
}
