package com.sparkify.lake.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Input files a test writes: song files and log files as the app exports them, by path below the input. */
public final class InputFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> files = new LinkedHashMap<>();

    public InputFiles song(String name, String songId, String title, String artistId, String artistName,
                           double duration, int year, String location) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("num_songs", 1);
        record.put("artist_id", artistId);
        record.put("artist_latitude", null);
        record.put("artist_longitude", null);
        record.put("artist_location", location);
        record.put("artist_name", artistName);
        record.put("song_id", songId);
        record.put("title", title);
        record.put("duration", duration);
        record.put("year", year);
        files.put("song_data/A/B/C/" + name, json(record));
        return this;
    }

    /** A log file of the given events (as {@link #event} makes them), one JSON object per line. */
    public InputFiles log(String name, List<Map<String, Object>> events) {
        files.put("log_data/2018/11/" + name, events.stream().map(InputFiles::json).collect(Collectors.joining("\n"))
                + "\n");
        return this;
    }

    /** An event with every field the app writes; {@code changes} sets some (a null value writes null). */
    public static Map<String, Object> event(String userId, long sessionId, int item, String instant,
                                            Map<String, Object> changes) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("artist", null);
        event.put("auth", userId.isEmpty() ? "Logged Out" : "Logged In");
        event.put("firstName", userId.isEmpty() ? null : "First" + userId);
        event.put("gender", userId.isEmpty() ? null : "F");
        event.put("itemInSession", item);
        event.put("lastName", userId.isEmpty() ? null : "Last" + userId);
        event.put("length", null);
        event.put("level", "free");
        event.put("location", "London");
        event.put("method", "GET");
        event.put("page", "Home");
        event.put("registration", null);
        event.put("sessionId", sessionId);
        event.put("song", null);
        event.put("status", 200);
        event.put("ts", Fixtures.millis(instant));
        event.put("userAgent", "\"Mozilla/5.0\"");
        event.put("userId", userId);
        event.putAll(changes);
        return event;
    }

    /** A play's fields, for {@link #event}'s changes. */
    public static Map<String, Object> play(String artist, String song, double length) {
        Map<String, Object> play = new LinkedHashMap<>();
        play.put("page", "NextSong");
        play.put("method", "PUT");
        play.put("artist", artist);
        play.put("song", song);
        play.put("length", length);
        return play;
    }

    public List<String> names() {
        return new ArrayList<>(files.keySet());
    }

    /** Writes the named files below {@code input} (made if missing), leaving those already there. */
    public Path writeTo(Path input, List<String> names) {
        try {
            for (String name : names) {
                Path file = input.resolve(name);
                Files.createDirectories(file.getParent());
                Files.writeString(file, files.get(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return input;
    }

    public Path writeTo(Path input) {
        return writeTo(input, names());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
