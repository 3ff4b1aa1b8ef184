package com.sparkify.lake.serve;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import scala.runtime.BoxedUnit;

/**
 * What {@code serve} adds to every Spark session, the clients' included (named in {@code spark.sql.extensions},
 * after Iceberg's): the lake's tables by their plain names, and the read-only rule.
 */
public final class ServeExtensions implements scala.Function1<SparkSessionExtensions, BoxedUnit> {

    /** The lake being served; set before the first session that needs it is made. */
    private static volatile ServedLake served;

    static void serve(ServedLake lake) {
        served = lake;
    }

    static boolean serving() {
        return served != null;
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectResolutionRule(session -> new NamesOfServedLake());
        extensions.injectCheckRule(session -> (scala.Function1<LogicalPlan, BoxedUnit>) plan -> {
            if (served != null) {
                ReadOnly.check(plan);
            }
            return BoxedUnit.UNIT;
        });
        extensions.injectParser((session, parser) -> new ReadOnlyParser(parser));
        return BoxedUnit.UNIT;
    }

    /** The rule as the served lake's, once there is one; nothing before (the server's own session, starting). */
    private static final class NamesOfServedLake extends org.apache.spark.sql.catalyst.rules.Rule<LogicalPlan> {
        @Override
        public LogicalPlan apply(LogicalPlan plan) {
            ServedLake lake = served;
            return lake == null ? plan : new LakeNames(lake).apply(plan);
        }
    }
}
