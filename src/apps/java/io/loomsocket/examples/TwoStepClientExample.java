package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code two-step-client} command: seed 001's {@code clientHands} and {@code clientSend},
 * the client of {@code two-step-chat}.
 *
 * <ol>
 *   <li>The greeting: it sends {@code Hi} and reads the answer, again and again until an answer
 *       contains {@code success}, then prints {@code 握手成功} ("handshake succeeded"). The seed
 *       tries for ever; this client gives up after {@code tries} answers without
 *       {@code success} (an {@link IOException} naming the last answer), so that a wrong server
 *       is not flooded with {@code Hi}.</li>
 *   <li>The conversation: it prompts {@code input text: } (no newline, as Python's
 *       {@code input()}), reads a line, sends it as text and prints the answer on a line of its
 *       own. The line {@code exit} is not sent: it prints {@code exit, bye!} and closes with
 *       1000 and the reason {@code exit}. The end of input does the same (the seed would stop
 *       with an {@code EOFError}).</li>
 * </ol>
 *
 * <p>Against {@code two-step-chat} (127.0.0.1:9090, the default URL) the first {@code Hi} is
 * answered {@code success}, and a line {@code hello} is answered {@code success,get mess: hello}.
 */
public final class TwoStepClientExample {

    public static final URI DEFAULT_URL = URI.create("ws://127.0.0.1:9090");
    public static final String GREETING = "Hi";
    public static final String GREETED = "success";
    public static final String GREETED_LINE = "握手成功";
    public static final String PROMPT = "input text: ";
    public static final String EXIT = "exit";
    public static final String BYE = "exit, bye!";
    /** How many answers to {@code Hi} without {@code success} before giving up. */
    public static final int DEFAULT_TRIES = 10;

    private TwoStepClientExample() {}

    /**
     * Greets, then sends each line of {@code in} until {@code exit} or the end of input.
     *
     * @throws IOException naming the URL: cannot connect, no {@code success} after {@code tries}
     *     greetings, no answer within {@code timeout}, or closed by the server
     */
    public static void run(URI url, BufferedReader in, PrintStream out, int tries, Duration timeout)
            throws IOException, InterruptedException {
        try (WebSocket ws = ExampleClients.connect(url)) {
            greet(ws, url, out, tries, timeout);
            converse(ws, url, in, out, timeout);
        }
    }

    /** {@code clientHands}: {@code Hi} until an answer contains {@code success}. */
    private static void greet(WebSocket ws, URI url, PrintStream out, int tries, Duration timeout)
            throws IOException, InterruptedException {
        String answer = null;
        for (int i = 0; i < tries; i++) {
            ExampleClients.send(ws, url, GREETING);
            answer = ExampleClients.answer(ws, url, timeout);
            if (answer.contains(GREETED)) {
                out.println(GREETED_LINE);
                out.flush();
                return;
            }
        }
        throw new IOException(url + ": no answer containing \"" + GREETED + "\" after " + tries + " tries of \""
                + GREETING + "\" (the last answer: \"" + answer + "\"); is it a two-step-chat server?");
    }

    /** {@code clientSend}: a line out, its answer printed, until {@code exit}. */
    private static void converse(WebSocket ws, URI url, BufferedReader in, PrintStream out, Duration timeout)
            throws IOException, InterruptedException {
        while (true) {
            out.print(PROMPT);
            out.flush();
            String line = in.readLine();
            if (line == null || line.equals(EXIT)) {
                out.println(BYE);
                out.flush();
                ws.close(CloseCode.NORMAL_CLOSURE, EXIT);
                return;
            }
            ExampleClients.send(ws, url, line);
            out.println(ExampleClients.answer(ws, url, timeout));
            out.flush();
        }
    }
}
