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
    /** Where each table's main was when the run opened its branch (null: the table had no snapshot). */
    private final Map<String, Long> bases = new LinkedHashMap<>();
    /** The branch's head after each of the run's writes, per table. */
    private final Map<String, List<Long>> heads = new LinkedHashMap<>();

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
        Snapshot current = table.currentSnapshot();
        bases.put(table.name(), current == null ? null : current.snapshotId());
        if (table.refs().containsKey(branch)) {
            return;
        }
        if (current == null) {
            table.manageSnapshots().createBranch(branch).commit();
        } else {
            table.manageSnapshots().createBranch(branch, current.snapshotId()).commit();
        }
    }

    /** Notes where the branch is after a write of the run. */
    void wrote(Table table) {
        Snapshot head = head(table, branch);
        heads.computeIfAbsent(table.name(), name -> new ArrayList<>()).add(head == null ? null : head.snapshotId());
    }

    /**
     * Refuses to publish when another run changed a table since this one opened it, or when this run's branch
     * is not what it wrote (another run, taking it for a killed run's, dropped it, and a later write made it
     * anew from main): publishing then would apply this run's changes to tables they were not computed from.
     */
    private void verify(List<String> order) {
        for (String name : order) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            if (!bases.containsKey(table.name())) {
                continue;
            }
            Long base = bases.get(table.name());
            Snapshot main = table.currentSnapshot();
            Long now = main == null ? null : main.snapshotId();
            java.util.Set<Long> chain = new java.util.HashSet<>();
            for (Snapshot at = head(table, branch); at != null; at = at.parentId() == null ? null
                    : table.snapshot(at.parentId())) {
                chain.add(at.snapshotId());
            }
            boolean whole = heads.getOrDefault(table.name(), List.of()).stream().allMatch(chain::contains)
                    && (base == null || chain.contains(base) || chain.isEmpty() && !heads.containsKey(table.name()));
            if (!java.util.Objects.equals(base, now) || !whole) {
                throw new LakeException("Another run changed " + name + " in " + catalog.lake() + " while this one "
                        + "ran, so this run published nothing: every table is as that run left it. Run etl again "
                        + "to load what is still new.");
            }
        }
    }

    /** The branch's newest snapshot, or null when the run wrote nothing there. */
    public static Snapshot head(Table table, String branch) {
        table.refresh();
        SnapshotRef ref = table.refs().get(branch);
        return ref == null ? null : table.snapshot(ref.snapshotId());
    }

    /** Drops this run's branches, and with them everything it wrote; other runs' branches stay. */
    public void abandon(List<String> order) {
        for (String name : order) {
            if (catalog.has(name)) {
                Table table = catalog.table(name);
                if (table.refs().containsKey(branch)) {
                    table.manageSnapshots().removeBranch(branch).commit();
                }
            }
        }
    }

    /**
     * Makes the run's changes visible, table by table in {@code order}, and drops its branches. The order is
     * the readers' safety between two commits; the record in the catalog is the run's, after a crash.
     */
    public Map<String, Published> publish(List<String> order) {
        verify(order);
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
            if (name.equals(RunRecord.TABLE)) {
                // Every other table of the run is visible now: that is the instant the record gives readers.
                RunRecord.stamp(catalog, branch, runId, java.time.Instant.now());
            }
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
