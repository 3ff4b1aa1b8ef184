package com.sparkify.lake.cli;

import java.util.List;
import java.util.concurrent.Callable;

import com.sparkify.lake.analytics.History;
import com.sparkify.lake.analytics.LakeTables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Lists the runs that built an Iceberg lake, as the lake recorded them: id, when its tables "
            + "became visible to readers, its kind, and the net rows it added to each table (rows written less "
            + "rows replaced or removed).",
            "Any run still readable, or a time, goes to query --as-of; maintain expires the oldest."})
final class HistoryCommand implements Callable<Integer> {

    @Mixin
    LakeOption lake;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        return Sessions.withSpark(config.settings(), spark -> {
            List<History.Run> runs = History.runs(Sessions.icebergLake(spark, lake.lake, config.config()));
            if (runs.isEmpty()) {
                System.out.println("The lake has no record of its runs yet: its next etl run starts it.");
                return 0;
            }
            StringBuilder header = new StringBuilder(String.format("%-26s %-23s %-13s", "run", "published (UTC)",
                    "kind"));
            LakeTables.NAMES.forEach(name -> header.append(String.format(" %10s", name)));
            System.out.println(header.append("  --as-of"));
            for (History.Run run : runs) {
                StringBuilder line = new StringBuilder(String.format("%-26s %-23s %-13s", run.runId(),
                        History.printed(run.published()), run.kind()));
                LakeTables.NAMES.forEach(name -> line.append(String.format(" %+,10d", run.rows().get(name))));
                System.out.println(line.append(run.readable() ? "  yes" : "  expired"));
            }
            System.out.println("Figures are net rows per table: rows a run wrote less rows it replaced or removed. "
                    + "'expired': maintain removed that run's snapshots; it can no longer be read --as-of.");
            return 0;
        });
    }
}
