package com.sparkify.lake.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that keep a JVM's requests to the store in flight, one pool per purpose and size, shared by the
 * JVM's tasks: a task that made its own would start as many threads again for each core. Idle threads end
 * after a while, so a pool sized for one run costs nothing once the run has moved on to another size.
 */
public final class RequestPools {

    private static final Map<String, ExecutorService> POOLS = new ConcurrentHashMap<>();

    private RequestPools() {
    }

    /** The pool of {@code size} threads named {@code sparkify-PURPOSE-N}. */
    public static ExecutorService of(String purpose, int size) {
        return POOLS.computeIfAbsent(purpose + "/" + size, key -> {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), work -> {
                        Thread thread = new Thread(work, "sparkify-" + purpose + "-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        });
    }
}
