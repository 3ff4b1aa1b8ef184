package com.sparkify.lake.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every link in the README and docs/ leads somewhere in a clone: to a file of the repository, not beside it. */
class LinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkNamesAFileOfTheRepository() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> dead = new ArrayList<>();
        int links = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("#")) {
                    continue;
                }
                links++;
                Path file = page.getParent().resolve(target.replaceAll("#.*$", "")).normalize();
                if (!file.startsWith(root) || !Files.exists(file)) {
                    dead.add(root.relativize(page) + ": " + target);
                }
            }
        }
        assertTrue(links > 3, "the check found the links: " + links);
        assertEquals(List.of(), dead, "links that lead nowhere in a clone");
    }
}
