package com.sparkify.lake.load;

import java.util.List;

import com.sparkify.lake.extract.WholeFiles;

/**
 * What a run reads: the whole input, or the files a lake has not loaded yet (see {@link LakeKind#choose}).
 *
 * @param kind         the kind of run the summary and the record of runs name ({@link #FULL}, ...)
 * @param full         whether every table is built from all the input
 * @param songFiles    the song files to read, or null to read song_data's folder whole
 * @param songsSkipped files in song_data that are not input, when the files are given
 * @param logFiles     the log files to read, or null to read log_data's folder whole
 * @param logsSkipped  files in log_data that are not input, when the files are given
 * @param loaded       the files the lake records as loaded by this run; song files first
 * @param songsLoaded  how many of {@code loaded} are song files
 * @param reloaded     files loaded before whose content changed, read again (--reload-changed)
 * @param reloadSongs  every song file is read again, to tell the records a changed file took away
 * @param reloadLogs   every log file is read again, to tell the events a changed file took away
 */
public record Batch(String kind, boolean full, List<WholeFiles.Found> songFiles, List<String> songsSkipped,
                    List<WholeFiles.Found> logFiles, List<String> logsSkipped, List<WholeFiles.Found> loaded,
                    int songsLoaded, List<String> reloaded, boolean reloadSongs, boolean reloadLogs) {

    /** The kinds of run: the first load, a rebuild asked for, a batch of new files, changed files read again. */
    public static final String FULL = "full";
    public static final String FULL_REFRESH = "full-refresh";
    public static final String INCREMENTAL = "incremental";
    public static final String RELOAD = "reload-changed";

    /** Both input folders read whole, every table built from them. */
    public static Batch everything(String kind) {
        return new Batch(kind, true, null, List.of(), null, List.of(), List.of(), 0, List.of(), false, false);
    }

    /** Every input file was loaded before, and none changed. */
    public boolean nothingNew() {
        return songFiles != null && songFiles.isEmpty() && logFiles != null && logFiles.isEmpty();
    }
}
