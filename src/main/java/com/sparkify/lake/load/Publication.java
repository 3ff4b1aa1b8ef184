package com.sparkify.lake.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;

import com.sparkify.lake.LakeException;

/**
 * Write-audit-publish across the lake's Iceberg tables. A run writes every change onto a branch of its own in
 * each table ({@code run_<id>}), where readers of the tables (who read {@code main}) do not see it; the checks
 * read the branches; then the run publishes, fast-forwarding each table's {@code main} to its branch.
 *
 * <p>Publishing touches several tables, and a catalog commits one table at a time. So the run first records
 * in the lake's catalog that it is publishing (one atomic property change), then moves the tables, dimensions
 * before the fact table, so that a reader between two of them finds no play whose user, song or time is
 * missing. A run killed before that record leaves every table as it was, its branches to be dropped by the
 * next run; killed after it, the next run finishes the publication first (roll forward), so a re-run
 * converges either way.
 */
public final class Publication {

    /** The lake-wide property that says which run is publishing. */
    public static final String PUBLISHING = "sparkify.publishing";
    static final String BRANCH_PREFIX = "run_";
    static final String MAIN = SnapshotRef.MAIN_BRANCH;

    private final LakeCatalog catalog;
    private final String runId;
    private final String branch;

    /** What each table's main points at after publishing. */
    public record Published(long snapshotId, String metadataFile) {
    }

    public Publication(LakeCatalog catalog, String runId) {
        this.catalog = catalog;
        this.runId = runId;
        this.branch = branch(runId);
    }

    static String branch(String runId) {
        return BRANCH_PREFIX + runId.replaceAll("[^A-Za-z0-9]", "_");
    }

    public String branch() {
        return branch;
    }

    /** Opens the run's branch on the table, at the table's current state. */
    public void open(Table table) {
        table.refresh();
        if (table.refs().containsKey(branch)) {
            return;
        }
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            table.manageSnapshots().createBranch(branch).commit();
        } else {
            table.manageSnapshots().createBranch(branch, current.snapshotId()).commit();
        }
    }

    /** The branch's newest snapshot, or null when the run wrote nothing there. */
    public static Snapshot head(Table table, String branch) {
        table.refresh();
        SnapshotRef ref = table.refs().get(branch);
        return ref == null ? null : table.snapshot(ref.snapshotId());
    }

    /** True when the run changed the table: its branch moved past where main is. */
    public boolean changed(Table table) {
        Snapshot head = head(table, branch);
        Snapshot main = table.currentSnapshot();
        return head != null && (main == null || head.snapshotId() != main.snapshotId())
                && !head.summary().isEmpty() && runId.equals(head.summary().get(IcebergTables.RUN_ID));
    }

    /**
     * Makes the run's changes visible, table by table in {@code order}, and drops its branches. The order is
     * the readers' safety between two commits; the record in the catalog is the run's, after a crash.
     */
    public Map<String, Published> publish(List<String> order) {
        String other = catalog.properties().get(PUBLISHING);
        if (other != null && !other.equals(runId)) {
            throw new LakeException("Another run (" + other + ") is publishing into " + catalog.lake()
                    + " or was killed while it did; run etl again to finish it first.");
        }
        catalog.setProperty(PUBLISHING, runId);
        Map<String, Published> published = finish(catalog, runId, order);
        catalog.removeProperty(PUBLISHING);
        return published;
    }

    /**
     * Puts the lake in order after a run that did not finish: a publication that had begun is completed; the
     * branches of runs that never began to publish are dropped, and with them everything those runs wrote.
     *
     * @return the run whose publication was completed, or null
     */
    public static String recover(LakeCatalog catalog, List<String> tables) {
        String publishing = catalog.properties().get(PUBLISHING);
        if (publishing != null) {
            finish(catalog, publishing, tables);
            catalog.removeProperty(PUBLISHING);
        }
        for (String name : tables) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            List<String> stale = new ArrayList<>();
            table.refs().forEach((ref, target) -> {
                if (ref.startsWith(BRANCH_PREFIX) && target.isBranch()) {
                    stale.add(ref);
                }
            });
            if (!stale.isEmpty()) {
                var changes = table.manageSnapshots();
                stale.forEach(changes::removeBranch);
                changes.commit();
            }
        }
        return publishing;
    }

    private static Map<String, Published> finish(LakeCatalog catalog, String runId, List<String> order) {
        String branch = branch(runId);
        Map<String, Published> published = new LinkedHashMap<>();
        for (String name : order) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            Snapshot head = head(table, branch);
            if (head != null) {
                Snapshot main = table.currentSnapshot();
                if (main == null) {
                    table.manageSnapshots().createBranch(MAIN, head.snapshotId()).removeBranch(branch).commit();
                } else if (main.snapshotId() == head.snapshotId()) {
                    table.manageSnapshots().removeBranch(branch).commit();
                } else {
                    try {
                        table.manageSnapshots().fastForwardBranch(MAIN, branch).removeBranch(branch).commit();
                    } catch (IllegalArgumentException | org.apache.iceberg.exceptions.ValidationException e) {
                        throw new LakeException("Cannot publish " + name + ": another run changed it since this "
                                + "one began (" + e.getMessage() + "). Run etl again.", e);
                    }
                }
                table.refresh();
            }
            com.sparkify.lake.KillSwitch.reached("publish " + name);
            Snapshot current = table.currentSnapshot();
            if (current != null) {
                published.put(name, new Published(current.snapshotId(),
                        ((HasTableOperations) table).operations().current().metadataFileLocation()));
            }
        }
        return published;
    }
}
