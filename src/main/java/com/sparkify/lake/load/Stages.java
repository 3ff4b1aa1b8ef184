package com.sparkify.lake.load;

import java.util.function.Function;
import java.util.function.Supplier;

/** How a lake tells the user what it does while a run writes it: a line per stage (the run's progress). */
public interface Stages {

    /** Runs {@code work}, then says the stage, what {@code describe} says of its result, and its time. */
    <T> T stage(String name, Supplier<T> work, Function<T, String> describe);

    void say(String line);
}
