package com.sparkify.lake.serve;

import java.util.Locale;

import org.apache.spark.sql.catalyst.AliasIdentifier;
import org.apache.spark.sql.catalyst.analysis.AnalysisContext$;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.rules.Rule;

import com.sparkify.lake.tables.StarSchema;

/**
 * An analyzer rule of every client session: {@code songplays}, {@code users}, {@code songs}, {@code artists}
 * and {@code time}, written plainly, are the served lake's tables. It runs after Spark's own resolution, so a
 * client's temporary view of the same name wins in that client's session.
 *
 * <p>All the tables one statement names come from one version of the lake, its subqueries and views included:
 * the version is pinned to the statement's analysis (Spark keeps one analysis context per statement, on its
 * thread, and shares its relation cache with the views and subqueries analyzed inside it).
 */
final class LakeNames extends Rule<LogicalPlan> {

    /** The analysis that last pinned a version on this thread, and the version it pinned. */
    private static final ThreadLocal<Object[]> PINNED = new ThreadLocal<>();

    private final ServedLake lake;

    LakeNames(ServedLake lake) {
        this.lake = lake;
    }

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        if (plan.collectWithSubqueries(new Find()).isEmpty()) {
            return plan;
        }
        ServedLake.Version version = pinned();
        return plan.transformUpWithSubqueries(new scala.runtime.AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
            @Override
            public boolean isDefinedAt(LogicalPlan node) {
                return name(node) != null;
            }

            @Override
            public <A1 extends LogicalPlan, B1> B1 applyOrElse(A1 node, scala.Function1<A1, B1> otherwise) {
                String name = name(node);
                if (name == null) {
                    return otherwise.apply(node);
                }
                @SuppressWarnings("unchecked")
                B1 resolved = (B1) new SubqueryAlias(new AliasIdentifier(name), version.table(name));
                return resolved;
            }
        });
    }

    /** The version this statement reads: the one pinned by its analysis, else the lake's current one. */
    private ServedLake.Version pinned() {
        Object analysis = AnalysisContext$.MODULE$.get().relationCache();
        Object[] last = PINNED.get();
        if (last != null && last[0] == analysis) {
            return (ServedLake.Version) last[1];
        }
        ServedLake.Version version = lake.current();
        PINNED.set(new Object[] {analysis, version});
        return version;
    }

    /** The table a node names, when it is one of the lake's written plainly; else null. */
    static String name(LogicalPlan node) {
        if (node instanceof UnresolvedRelation relation && relation.multipartIdentifier().size() == 1) {
            String name = relation.multipartIdentifier().head().toLowerCase(Locale.ROOT);
            return StarSchema.NAMES.contains(name) ? name : null;
        }
        return null;
    }

    private static final class Find extends scala.runtime.AbstractPartialFunction<LogicalPlan, String> {
        @Override
        public boolean isDefinedAt(LogicalPlan node) {
            return name(node) != null;
        }

        @Override
        public <A1 extends LogicalPlan, B1> B1 applyOrElse(A1 node, scala.Function1<A1, B1> otherwise) {
            String name = name(node);
            @SuppressWarnings("unchecked")
            B1 found = name == null ? otherwise.apply(node) : (B1) name;
            return found;
        }
    }
}
