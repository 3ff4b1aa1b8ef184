package com.sparkify.lake.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One chart of the report as the page's script draws it: labels along one axis and one or more named series of
 * numbers. The page also prints every number in a table, since a canvas says nothing to a screen reader.
 *
 * @param kind       Chart.js's type: bar, line or doughnut
 * @param horizontal bars along the x axis (long labels such as song titles read better that way)
 * @param valueAxis  the axis the numbers are read on, in Chart.js's own terms; null for a doughnut, which has none
 */
record Chart(String id, String title, String kind, boolean horizontal, List<String> labels, List<Series> series,
             ValueAxis valueAxis) {

    record Series(String name, List<Number> values) {
    }

    /**
     * The value axis as Chart.js takes it. Counts get {@code ticks.precision: 0}: left to itself Chart.js ticks a
     * chart whose largest count is 1 at 0, 0.2 … 1.0, fractions of a play that cannot exist.
     *
     * @param min a logarithmic axis starts at 1, so that every bar of a count of 1 or more has a length
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ValueAxis(String type, Boolean beginAtZero, Integer min, Ticks ticks) {

        static final ValueAxis COUNT = new ValueAxis("linear", true, null, new Ticks(0));
        static final ValueAxis LOG_COUNT = new ValueAxis("logarithmic", null, 1, new Ticks(0));
        /** Seconds and other measures, whose fractions mean something. */
        static final ValueAxis MEASURE = new ValueAxis("linear", true, null, null);

        /**
         * Counts whose smallest is a sliver beside the largest (the sample's 69 artists beside 6,820 plays) on a
         * logarithmic axis, where each is a bar one can see; counts of like size on a linear one, which reads
         * more directly.
         */
        static ValueAxis forCounts(List<? extends Number> counts) {
            long largest = counts.stream().mapToLong(Number::longValue).max().orElse(0);
            long smallest = counts.stream().mapToLong(Number::longValue).filter(n -> n > 0).min().orElse(0);
            return smallest > 0 && largest > SPREAD * smallest ? LOG_COUNT : COUNT;
        }

        /** Beyond this ratio the smallest bar of a linear axis is under a twentieth of it: a line, not a bar. */
        static final long SPREAD = 20;

        boolean whole() {
            return ticks != null && Integer.valueOf(0).equals(ticks.precision());
        }

        boolean logarithmic() {
            return "logarithmic".equals(type);
        }
    }

    record Ticks(Integer precision) {
    }

    /** A chart of one series of counts: a label and a value from each row. */
    static Chart of(String id, String title, String kind, boolean horizontal, List<Map<String, Object>> rows,
                    Function<Map<String, Object>, String> label, String value, String seriesName) {
        List<String> labels = new ArrayList<>();
        List<Number> values = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            labels.add(label.apply(row));
            values.add((Number) row.get(value));
        }
        return new Chart(id, title, kind, horizontal, labels, List.of(new Series(seriesName, values)),
                kind.equals("doughnut") ? null : ValueAxis.COUNT);
    }

    Chart withValueAxis(ValueAxis axis) {
        return new Chart(id, title, kind, horizontal, labels, series, axis);
    }
}
