package com.sparkify.lake.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The lake a reading command asks: a folder or URI ({@code --lake}), or a running server ({@code --remote}). */
final class LakeSource {

    @Option(names = "--lake", paramLabel = "LAKE", description = "Folder or URI of a lake built by etl.")
    String lake;

    @Mixin
    RemoteOption remote;

    /** Exactly one of the two, checked before any Spark starts; true for the server. */
    boolean remote() {
        if (lake != null && remote.given()) {
            throw new UsageError("Give --lake or --remote, not both: a server answers from the lake it serves.");
        }
        if (lake == null && !remote.given()) {
            throw new UsageError("Missing required option: '--lake=LAKE' (or --remote sc://HOST:PORT).");
        }
        return remote.given();
    }
}
