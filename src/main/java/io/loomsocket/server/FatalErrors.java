package io.loomsocket.server;

/**
 * Which failures of application code must outlive the connection they happened on. An
 * {@link OutOfMemoryError}, {@link InternalError} or {@link UnknownError} (every
 * {@link VirtualMachineError} but one) says the JVM itself is in trouble: closing one connection
 * would leave a half-dead process, so it is rethrown for the thread's uncaught exception handler.
 * A {@link StackOverflowError} is the exception: the stack has unwound by the time it is caught, and
 * it is nearly always the handler's own runaway recursion, so it closes only its connection, as
 * any other handler failure (exceptions, {@code AssertionError}, {@code LinkageError}) does.
 */
final class FatalErrors {

    private FatalErrors() {}

    static boolean mustPropagate(Throwable failure) {
        return failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError);
    }
}
