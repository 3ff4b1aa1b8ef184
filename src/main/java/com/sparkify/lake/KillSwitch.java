package com.sparkify.lake;

import java.io.IOException;

/**
 * Named moments of a run at which a test can have the process killed with SIGKILL, to prove what readers and
 * the next run find afterwards: no clean-up code, no shutdown hook, as when a machine dies. Off unless the
 * environment variable {@value #VARIABLE} names a moment: a stage as the run prints it when it ends
 * ({@code merge songs}, {@code check}) or a table as it is published ({@code publish songs}).
 */
public final class KillSwitch {

    public static final String VARIABLE = "SPARKIFY_KILL_AT";

    private static final String AT = System.getenv(VARIABLE);

    /** INT or TERM: the signal sent at the moment instead of KILL, as a person's Ctrl-C or a scheduler's stop. */
    public static final String SIGNAL_VARIABLE = "SPARKIFY_KILL_SIGNAL";

    private static final String SIGNAL = System.getenv(SIGNAL_VARIABLE);

    private KillSwitch() {
    }

    /** Kills this process if the moment is the one named. */
    public static void reached(String moment) {
        if (AT == null || !AT.equals(moment)) {
            return;
        }
        String signal = SIGNAL == null ? "KILL" : SIGNAL;
        System.err.println("sparkify-lake: " + VARIABLE + "=" + AT + ": sending this process SIG" + signal);
        System.err.flush();
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(ProcessHandle.current().pid())).inheritIO().start()
                    .waitFor();
            // The run goes no further: the signal's handling ends the process meanwhile.
            Thread.sleep(60_000);
        } catch (IOException | InterruptedException e) {
            Runtime.getRuntime().halt(137);
        }
        Runtime.getRuntime().halt(137);
    }
}
