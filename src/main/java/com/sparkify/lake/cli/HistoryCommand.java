package com.sparkify.lake.cli;

import java.util.List;
import java.util.concurrent.Callable;

import com.sparkify.lake.analytics.History;
import com.sparkify.lake.analytics.LakeTables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Lists the runs that built an Iceberg lake: id, when it was published, its kind and the "
            + "rows it added to each table (net: a row it replaced counts once).",
            "Any run id, or a time, goes to query --as-of."})
final class HistoryCommand implements Callable<Integer> {

    @Mixin
    LakeOption lake;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        return Sessions.withSpark(config.settings(), spark -> {
            List<History.Run> runs = History.runs(Sessions.icebergLake(spark, lake.lake, config.config()));
            StringBuilder header = new StringBuilder(String.format("%-26s %-20s %-13s", "run", "published (UTC)",
                    "kind"));
            LakeTables.NAMES.forEach(name -> header.append(String.format(" %10s", name)));
            System.out.println(header);
            for (History.Run run : runs) {
                StringBuilder line = new StringBuilder(String.format("%-26s %-20s %-13s", run.runId(),
                        run.committedAt().toString().replace('T', ' ').replaceAll("\\.\\d+Z$|Z$", ""), run.kind()));
                LakeTables.NAMES.forEach(name -> line.append(String.format(" %+,10d", run.rows().get(name))));
                System.out.println(line);
            }
            return 0;
        });
    }
}
