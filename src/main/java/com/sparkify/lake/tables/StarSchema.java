package com.sparkify.lake.tables;

import java.util.List;
import java.util.function.Function;

/**
 * The five tables, each with its key, partition columns and merge rule (each table's own file says why).
 * Listed in the order a batch merges them, the dimensions before the fact table.
 */
public final class StarSchema {

    /** One table of the star: how a batch changes it. */
    public record Table(String name, String key, List<String> partitions, Function<InputChange, Merge> merge) {
    }

    public static final List<Table> TABLES = List.of(
            new Table(Songs.NAME, Songs.KEY, Songs.PARTITIONS, Songs::merge),
            new Table(Artists.NAME, Artists.KEY, Artists.PARTITIONS, Artists::merge),
            new Table(Users.NAME, Users.KEY, Users.PARTITIONS, Users::merge),
            new Table(Time.NAME, Time.KEY, Time.PARTITIONS, Time::merge),
            new Table(Songplays.NAME, Songplays.KEY, Songplays.PARTITIONS, Songplays::merge));

    /** The names as the analytics team knows them: the fact table first. */
    public static final List<String> NAMES = List.of(Songplays.NAME, Users.NAME, Songs.NAME, Artists.NAME, Time.NAME);

    private StarSchema() {
    }
}
