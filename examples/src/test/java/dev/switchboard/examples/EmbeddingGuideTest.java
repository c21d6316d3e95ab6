package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The code of {@code docs/embedding.md} is the code of this module: each Java block of the guide is preceded by
 * {@code <!-- snippet: path#tag -->} and must equal, line for line, the region between {@code // tag::tag[]} and
 * {@code // end::tag[]} of that file (its common indentation removed).
 */
class EmbeddingGuideTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern BLOCK = Pattern.compile(
            "(?:<!-- snippet: (\\S+)#(\\S+) -->\\n)?```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaBlockOfTheGuideIsItsTaggedRegion() throws IOException {
        List<String> checked = check(Files.readString(ROOT.resolve("docs/embedding.md")));

        assertThat(checked).contains("WebhookService.java#wiring", "MapStateStore.java#store",
                "DialpadConnect.java#wiring", "DialpadConnect.java#begin", "DialpadConnect.java#finish",
                "EmbeddedServerExample.java#server");
    }

    @Test
    void checkWhenABlockDiffersFromItsRegionThenFails() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/embedding.md"));
        String altered = guide.replaceFirst("WebhookVerifier\\.create\\(clock\\)", "WebhookVerifier.create(other)");

        assertThat(altered).isNotEqualTo(guide);
        assertThatThrownBy(() -> check(altered)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("WebhookService.java#wiring");
    }

    @Test
    void checkWhenABlockNamesNoRegionThenFails() {
        assertThatThrownBy(() -> check("text\n```java\nint x = 1;\n```\n")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("names no tagged region");
    }

    /** Checks every Java block of {@code guide}; returns the {@code file#tag} of each. */
    private static List<String> check(String guide) throws IOException {
        List<String> checked = new ArrayList<>();
        Matcher block = BLOCK.matcher(guide);
        while (block.find()) {
            assertThat(block.group(1)).as("a java block names no tagged region:%n%s", block.group(3)).isNotNull();
            Path file = ROOT.resolve(block.group(1));
            String name = file.getFileName() + "#" + block.group(2);
            assertThat(block.group(3)).as("the block of %s", name).isEqualTo(region(file, block.group(2)) + "\n");
            checked.add(name);
        }
        return checked;
    }

    /** The lines between the tag's markers, without their common indentation. */
    private static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = indexOf(lines, "// tag::" + tag + "[]");
        int end = indexOf(lines, "// end::" + tag + "[]");
        assertThat(start).as("%s has the tag %s", file, tag).isNotNegative().isLessThan(end);
        List<String> region = lines.subList(start + 1, end);
        int indent = region.stream().filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        return String.join("\n", region.stream().map(line -> line.isBlank() ? "" : line.substring(indent)).toList());
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        return -1;
    }
}
