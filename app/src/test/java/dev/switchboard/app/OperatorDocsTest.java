package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.push.PushEventType;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The operator documents against what they describe: the examples of {@code docs/api.md} against the AsyncAPI
 * schemas of their types, the quickstart's Java example against the compiler, and the start command and JVM options
 * shared by the README, the quickstart and the Dockerfile. {@code .ci/quickstart} runs the quickstart's commands;
 * this keeps what it runs from drifting away from the rest between CI runs.
 */
class OperatorDocsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = repositoryRoot();
    private static final String JVM_OPTIONS = "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    @Test
    void apiGuideWhenReadThenEveryJsonExampleIsAValidMessageOfItsType() throws Exception {
        ApiDocuments documents = ApiDocuments.fromResources();
        List<String> examples = fencedBlocks(read("docs/api.md"), "json");

        assertThat(examples).hasSizeGreaterThanOrEqualTo(PushEventType.values().length);
        for (String example : examples) {
            documents.assertEvent(example);
        }
    }

    @Test
    void apiGuideWhenReadThenEveryPushedEventTypeHasAnExampleAndASection() throws Exception {
        String guide = read("docs/api.md");
        Set<String> exampleTypes = new TreeSet<>();
        for (String example : fencedBlocks(guide, "json")) {
            exampleTypes.add(JSON.readTree(example).path("type").asText());
        }

        for (PushEventType type : PushEventType.values()) {
            assertThat(exampleTypes).as("an example of %s", type.wireName()).contains(type.wireName());
            assertThat(guide).as("a section on %s", type.wireName()).contains("### `" + type.wireName() + "`");
        }
    }

    @Test
    void quickstartWhenItsJavaExampleIsCompiledThenItCompilesWithoutWarnings() throws Exception {
        List<String> examples = fencedBlocks(read("docs/quickstart.md"), "java");
        assertThat(examples).hasSize(1);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        Path output = Files.createTempDirectory("quickstart-example");
        StringWriter messages = new StringWriter();
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///Listen.java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return examples.get(0);
            }
        };

        Boolean compiled = compiler.getTask(messages, null, null,
                List.of("-Xlint:all", "-Werror", "--release", "17", "-d", output.toString()), null, List.of(source))
                .call();

        assertThat(compiled).as(messages.toString()).isTrue();
        assertThat(output.resolve("Listen.class")).exists();
    }

    @Test
    void quickstartWhenReadThenItsFirstSectionMarksTheBlocksTheCiRuns() throws Exception {
        String first = read("docs/quickstart.md").split("\n## 2\\.")[0];

        assertThat(first).contains("<!-- ci: server -->\n```sh\n" + readmeStartCommand() + "\n```");
        assertThat(first).contains("<!-- ci: file Listen.java -->\n```java\n");
        assertThat(first).containsPattern("<!-- ci: run, then wait for \"socket open\" -->\n```sh\njava Listen.java &\n");
        Matcher simulate = Pattern.compile("<!-- ci: run, then wait for ((?:\"[^\"]+\" ?)+) -->\n```sh\n"
                + "java -jar app/target/switchboard\\.jar simulate ").matcher(first);
        assertThat(simulate.find()).as("a simulate step that waits for the events").isTrue();
        Set<String> awaited = Pattern.compile("\"([^\"]+)\"").matcher(simulate.group(1)).results()
                .map(result -> result.group(1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(awaited).isEqualTo(Stream.of(PushEventType.values()).map(PushEventType::wireName)
                .filter(type -> !type.equals("call.recording")).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void dockerfileWhenReadThenItRunsTheReadmeJvmOptionsAsANonRootUser() throws Exception {
        String dockerfile = read("Dockerfile");

        assertThat(readmeStartCommand()).contains("java " + JVM_OPTIONS + " -jar app/target/switchboard.jar");
        assertThat(dockerfile).contains("JDK_JAVA_OPTIONS=\"" + JVM_OPTIONS + "\"");
        assertThat(dockerfile).contains("USER 10001:10001");
        assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/switchboard.jar\"]");
        assertThat(dockerfile).contains("ARG JDK_IMAGE=").contains("ARG JRE_IMAGE=");
    }

    /** The README's start command: the one line of its first {@code sh} block. */
    private static String readmeStartCommand() throws IOException {
        return fencedBlocks(read("README.md"), "sh").get(0).strip();
    }

    private static List<String> fencedBlocks(String markdown, String language) {
        Matcher blocks = Pattern.compile("^```" + language + "\n(.*?)^```$", Pattern.MULTILINE | Pattern.DOTALL)
                .matcher(markdown);
        List<String> found = new ArrayList<>();
        while (blocks.find()) {
            found.add(blocks.group(1));
        }
        return found;
    }

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path), StandardCharsets.UTF_8);
    }

    /** Maven runs the tests in the module's directory; the documents are at the repository's root above it. */
    private static Path repositoryRoot() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            if (Files.isRegularFile(directory.resolve("mvnw")) && Files.isDirectory(directory.resolve("docs"))) {
                return directory;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
}
