package com.sparkify.lake.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One chart of the report as the page's script draws it: labels along one axis and one or more named series of
 * numbers. The page also prints every number in a table, since a canvas says nothing to a screen reader.
 *
 * @param kind       Chart.js's type: bar, line or doughnut
 * @param horizontal bars along the x axis (long labels such as song titles read better that way)
 */
record Chart(String id, String title, String kind, boolean horizontal, List<String> labels, List<Series> series) {

    record Series(String name, List<Number> values) {
    }

    /** A chart of one series: a label and a value from each row. */
    static Chart of(String id, String title, String kind, boolean horizontal, List<Map<String, Object>> rows,
                    Function<Map<String, Object>, String> label, String value, String seriesName) {
        List<String> labels = new ArrayList<>();
        List<Number> values = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            labels.add(label.apply(row));
            values.add((Number) row.get(value));
        }
        return new Chart(id, title, kind, horizontal, labels, List.of(new Series(seriesName, values)));
    }
}
