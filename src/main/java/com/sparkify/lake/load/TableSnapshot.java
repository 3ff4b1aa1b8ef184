package com.sparkify.lake.load;

/**
 * A table as a run into an Iceberg lake left it: the snapshot it published, the metadata file that snapshot is
 * in, and the run's figures (as in the lake's record of runs: {@link RunRecord.TableFigures}): rows written,
 * rows replaced, and the net change.
 */
public record TableSnapshot(long snapshotId, String metadataFile, long net, long written, long replaced) {
}
