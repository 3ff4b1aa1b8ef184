package com.sparkify.lake.cli;

import java.nio.file.Path;

import com.sparkify.lake.config.Settings;
import com.sparkify.lake.config.LakeConfig;

import picocli.CommandLine.Option;

/** {@code --config FILE} of the commands that read a lake: read once, whatever asks for it. */
final class ConfigFileOption {

    @Option(names = "--config", paramLabel = "FILE",
            description = "The config file: credentials for an object store, the [catalog] of an Iceberg lake on one.")
    Path file;

    private LakeConfig loaded;

    /** The file's settings, or none. */
    LakeConfig config() {
        if (loaded == null) {
            loaded = file == null ? LakeConfig.none() : LakeConfig.load(file);
        }
        return loaded;
    }

    /** The defaults with the file's credentials and Spark settings. */
    Settings settings() {
        return Settings.defaults().withConfig(config());
    }
}
