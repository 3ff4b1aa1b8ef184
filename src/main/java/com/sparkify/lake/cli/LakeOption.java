package com.sparkify.lake.cli;

import picocli.CommandLine.Option;

/** The lake a command reads: every command but etl and generate takes one. */
final class LakeOption {

    @Option(names = "--lake", required = true, paramLabel = "LAKE", description = "Folder or URI of a lake built by etl.")
    String lake;
}
