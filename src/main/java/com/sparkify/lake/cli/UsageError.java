package com.sparkify.lake.cli;

import com.sparkify.lake.LakeException;

/** The command line was wrong (an option missing, out of range or of an unknown value), found after parsing:
 *  it exits 2 as picocli's own parse errors do, where a run that failed exits 1. */
final class UsageError extends LakeException {

    UsageError(String message) {
        super(message);
    }
}
