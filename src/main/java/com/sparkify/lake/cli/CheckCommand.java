package com.sparkify.lake.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.quality.Checks;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Runs the data-quality checks on a lake, one line per check.",
            "Exits 0 only when every check passes."})
final class CheckCommand implements Callable<Integer> {

    @Mixin
    LakeOption lake;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        return Sessions.withSpark(config.settings(), spark -> {
            Map<String, Long> expected = LakeTables.rowsAsBuilt(spark, lake.lake, config.config());
            if (expected.isEmpty()) {
                System.out.println("SKIP  row counts against the run summary: " + lake.lake
                        + "/_run/summary.json is missing");
            }
            List<Checks.Result> results = Checks.onLake(spark, lake.lake, config.config()).run(expected);
            results.forEach(result -> System.out.println(result.line()));
            long failed = results.stream().filter(r -> !r.passed()).count();
            System.out.println(failed == 0 ? "All " + results.size() + " checks passed."
                    : failed + " of " + results.size() + " checks failed.");
            return failed == 0 ? 0 : SparkifyLake.FAILED;
        });
    }
}
