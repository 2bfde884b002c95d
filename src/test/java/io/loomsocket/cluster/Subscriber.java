package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A client member of one topic on one node; a virtual thread keeps everything it receives. */
final class Subscriber implements AutoCloseable {

    final WebSocket ws;
    final List<DataMessage> received = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Subscriber(WebSocket ws) {
        this.ws = ws;
        this.reader = Thread.ofVirtual().start(() -> {
            try {
                for (DataMessage m : ws) {
                    received.add(m);
                }
            } catch (RuntimeException e) {
                // closed
            }
        });
    }

    static Subscriber join(ClusterNode node, String topic) throws IOException, InterruptedException {
        WebSocket ws = WebSocketClient.builder().maxMessageSize(32 << 20).maxFrameSize(32 << 20)
                .closeTimeout(Duration.ofSeconds(2)).connect(URI.create(node.url(topic)));
        Optional<DataMessage> ready = ws.receive(Duration.ofSeconds(10));
        assertThat(ready).as("ready from %s", node.name).isPresent();
        assertThat(((Message.Text) ready.get()).text()).isEqualTo("ready");
        return new Subscriber(ws);
    }

    /** A member of a node that sends no "ready" (another process's broadcast command). */
    static Subscriber connect(URI uri) throws IOException {
        return new Subscriber(WebSocketClient.builder().closeTimeout(Duration.ofSeconds(2)).connect(uri));
    }

    List<String> texts() {
        return received.stream().filter(m -> m instanceof Message.Text).map(m -> ((Message.Text) m).text()).toList();
    }

    int count() {
        return received.size();
    }

    @Override
    public void close() {
        ws.abort();
        reader.interrupt();
    }
}
