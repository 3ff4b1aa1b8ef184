package com.sparkify.lake.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * What one scenario found on one kind of lake: rounds run, faults that struck a run under way, rounds in which
 * every guarantee held, and each failure with what was seen.
 */
final class Outcome {

    final String scenario;
    final String lake;
    int rounds;
    int faults;
    int survived;
    final List<String> failures = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    Outcome(String scenario, String lake) {
        this.scenario = scenario;
        this.lake = lake;
    }

    void fail(int round, String what) {
        failures.add("round " + round + ": " + what);
    }

    /** A round ended: survived when nothing is {@code broken}, else a failure listing what broke. */
    void ended(int round, List<String> broken) {
        rounds++;
        if (broken.isEmpty()) {
            survived++;
        } else {
            fail(round, String.join("; ", broken));
        }
    }

    static String header() {
        return "| scenario | lake | rounds | faults injected | survived | failures |\n|---|---|---|---|---|---|";
    }

    String row() {
        return String.format("| %s | %s | %d | %d | %d | %d |", scenario, lake, rounds, faults, survived,
                failures.size());
    }
}
