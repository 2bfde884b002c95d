package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real timer thread: a task's RuntimeException is logged and its periodic task goes on; an
 * Error reaches the uncaught exception handler (it is never swallowed) and ends that task.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SchedulerTimersTest {

    private static final String THREAD = "loomsocket-test-timers";
    private final SchedulerTimers timers = new SchedulerTimers(THREAD);

    @AfterEach
    void shutdown() {
        timers.shutdown();
    }

    @Test
    void aRuntimeExceptionIsLoggedAndThePeriodicTaskKeepsRunning() throws InterruptedException {
        Logger jul = Logger.getLogger(SchedulerTimers.class.getName()); // held: JUL keeps loggers weakly
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        boolean useParent = jul.getUseParentHandlers();
        jul.setUseParentHandlers(false);
        jul.addHandler(capture);
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch third = new CountDownLatch(1);
            timers.every(Duration.ofMillis(1), () -> {
                if (runs.incrementAndGet() <= 2) {
                    throw new IllegalStateException("bug " + runs.get());
                }
                third.countDown();
            });

            assertThat(third.await(5, TimeUnit.SECONDS)).as("run again after two failures").isTrue();
            assertThat(logged).hasSizeGreaterThanOrEqualTo(2).first().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).isEqualTo("timer task failed");
                assertThat(r.getThrown()).hasMessage("bug 1");
            });
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(useParent);
        }
    }

    @Test
    void anErrorReachesTheUncaughtExceptionHandlerAndEndsThatPeriodicTask() throws Exception {
        CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (t.getName().equals(THREAD)) {
                uncaught.complete(e);
            }
        });
        try {
            AtomicInteger runs = new AtomicInteger();
            InternalError fatal = new InternalError("fatal in a timer task");
            timers.every(Duration.ofMillis(1), () -> {
                runs.incrementAndGet();
                throw fatal;
            });

            assertThat(uncaught.get(5, TimeUnit.SECONDS)).isSameAs(fatal);
            CountDownLatch later = new CountDownLatch(1);
            timers.schedule(Duration.ofMillis(50), later::countDown); // ~50 periods later, on the same thread
            assertThat(later.await(5, TimeUnit.SECONDS)).as("the thread still runs other tasks").isTrue();
            assertThat(runs).as("the failed periodic task is not run again").hasValue(1);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
    }
}
