package com.sparkify.lake;

/** A failure the user can act on. Its message is the whole answer the command line prints, so it says
 *  what went wrong and what to check, and never carries a secret. */
public class LakeException extends RuntimeException {

    public LakeException(String message) {
        super(message);
    }

    public LakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
