package com.sparkify.lake.generate;

import java.io.IOException;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.JsonGenerator;

/** One line of the event log, written with the real log's fields in the real log's order. */
record Event(String artist, String auth, String firstName, String gender, int itemInSession, String lastName,
             Double length, String level, String location, String page, Double registration, long sessionId,
             String song, long ts, String userAgent, String userId, boolean catalogMatch) {

    static Event play(Users.User user, String level, long session, int item, long ts, String artist,
                      String song, double length, boolean catalogMatch) {
        return new Event(artist, "Logged In", user.firstName(), user.gender(), item, user.lastName(), length,
                level, user.location(), "NextSong", user.registration(), session, song, ts, user.userAgent(),
                Integer.toString(user.id()), catalogMatch);
    }

    static Event page(Users.User user, String page, String level, long session, int item, long ts) {
        return new Event(null, "Logged In", user.firstName(), user.gender(), item, user.lastName(), null,
                level, user.location(), page, user.registration(), session, null, ts, user.userAgent(),
                Integer.toString(user.id()), false);
    }

    /** A visitor who is not logged in: the real log gives an empty userId and no personal fields. */
    static Event guest(SplittableRandom random, long session, int item, long ts) {
        return new Event(null, "Logged Out", null, null, item, null, null, "free", null,
                Pages.guest(random.nextDouble()), null, session, null, ts, null, "", false);
    }

    void write(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("artist", artist);
        json.writeStringField("auth", auth);
        json.writeStringField("firstName", firstName);
        json.writeStringField("gender", gender);
        json.writeNumberField("itemInSession", itemInSession);
        json.writeStringField("lastName", lastName);
        if (length == null) {
            json.writeNullField("length");
        } else {
            json.writeNumberField("length", length);
        }
        json.writeStringField("level", level);
        json.writeStringField("location", location);
        json.writeStringField("method", Pages.method(page));
        json.writeStringField("page", page);
        if (registration == null) {
            json.writeNullField("registration");
        } else {
            json.writeNumberField("registration", registration);
        }
        json.writeNumberField("sessionId", sessionId);
        json.writeStringField("song", song);
        json.writeNumberField("status", Pages.status(page));
        json.writeNumberField("ts", ts);
        json.writeStringField("userAgent", userAgent);
        json.writeStringField("userId", userId);
        json.writeEndObject();
    }
}
