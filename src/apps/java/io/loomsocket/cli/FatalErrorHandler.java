package io.loomsocket.cli;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/**
 * The CLI's default uncaught exception handler. A {@link VirtualMachineError} (an
 * {@code OutOfMemoryError} above all) that reaches it ends the process with exit status 3 and one
 * clear line on stderr, so that a supervisor (systemd's {@code Restart=}) restarts it: a server
 * that lost its accept loop or a timer thread to one would otherwise stay up, half dead. It halts
 * rather than exits: the shutdown hooks (the graceful stop) need memory and threads the JVM may not
 * have. Every other throwable is printed as the JDK's default handler prints it, and the process
 * goes on. The JVM's own {@code -XX:+ExitOnOutOfMemoryError}, in the pom, the systemd unit and the
 * README's command lines, covers the OOMs caught somewhere on the way.
 */
final class FatalErrorHandler implements Thread.UncaughtExceptionHandler {

    static final int EXIT_STATUS = 3;

    private final PrintStream err;
    private final IntConsumer halter;

    /** @param halter ends the process with the status it is given: {@link Runtime#halt} outside tests */
    FatalErrorHandler(PrintStream err, IntConsumer halter) {
        this.err = err;
        this.halter = halter;
    }

    /** Makes it the default handler of every thread, virtual ones included. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(new FatalErrorHandler(System.err, Runtime.getRuntime()::halt));
    }

    @Override
    public void uncaughtException(Thread thread, Throwable failure) {
        if (failure instanceof VirtualMachineError) {
            try {
                err.println("loomsocket: fatal " + failure.getClass().getSimpleName() + " in thread " + thread.getName()
                        + "; exiting with status " + EXIT_STATUS + " so that a supervisor restarts the process");
                err.flush();
            } catch (Throwable printingFailed) {
                // Out of memory even for the line: halt all the same.
            } finally {
                halter.accept(EXIT_STATUS);
            }
            return;
        }
        err.print("Exception in thread \"" + thread.getName() + "\" "); // as ThreadGroup.uncaughtException
        failure.printStackTrace(err);
    }
}
