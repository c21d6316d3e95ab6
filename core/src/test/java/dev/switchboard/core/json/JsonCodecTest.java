package dev.switchboard.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {
    @Test
    void parseWhenObjectThenKeepsMemberOrderAndTypes() {
        Object value = JsonCodec.parse(" {\"z\": 1, \"a\": [true, false, null], \"m\": {\"s\": \"x\"}, \"d\": 1.5} ");

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        assertThat(map.keySet()).containsExactly("z", "a", "m", "d");
        assertThat(map.get("z")).isEqualTo(1L);
        assertThat(map.get("a")).isEqualTo(Arrays.asList(true, false, null));
        assertThat(map.get("m")).isEqualTo(Map.of("s", "x"));
        assertThat(map.get("d")).isEqualTo(1.5d);
    }

    @Test
    void parseWhenNumbersThenLongWithinItsRangeAndDoubleOtherwiseNeverBigDecimal() {
        assertThat(JsonCodec.parse("0")).isEqualTo(0L);
        assertThat(JsonCodec.parse("-0")).isEqualTo(0L);
        assertThat(JsonCodec.parse("42")).isEqualTo(42L);
        assertThat(JsonCodec.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonCodec.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonCodec.parse("1700000000123")).isEqualTo(1_700_000_000_123L);
        assertThat(JsonCodec.parse("9223372036854775808")).isEqualTo(9.223372036854775808E18);
        assertThat(JsonCodec.parse("1e3")).isEqualTo(1000.0d);
        assertThat(JsonCodec.parse("-12.50E-2")).isEqualTo(-0.125d);
        assertThat(JsonCodec.parse("9".repeat(JsonCodec.MAX_NUMBER_LENGTH))).isEqualTo(1e100);
        assertThat(JsonCodec.parse("1e9999999")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(JsonCodec.parse("[1e2147483648]")).isEqualTo(List.of(Double.POSITIVE_INFINITY));
    }

    @Test
    void parseWhenNumberLongerThanTheLimitThenRefused() {
        String digits = "9".repeat(780_000);

        assertThatThrownBy(() -> JsonCodec.parse(digits)).isInstanceOf(JsonException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> JsonCodec.parse("{\"exp\":1." + "5".repeat(JsonCodec.MAX_NUMBER_LENGTH) + "}"))
                .isInstanceOf(JsonException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> JsonCodec.parse("9".repeat(JsonCodec.MAX_NUMBER_LENGTH + 1)))
                .isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenStringOrDocumentLongerThanTheLimitThenRefused() {
        String longString = "\"" + "a".repeat(JsonCodec.MAX_STRING_LENGTH + 1) + "\"";
        String longName = "{\"" + "a".repeat(JsonCodec.MAX_STRING_LENGTH + 1) + "\":1}";
        byte[] longDocument = ("[" + " ".repeat(JsonCodec.MAX_DOCUMENT_LENGTH) + "]").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> JsonCodec.parse(longString)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> JsonCodec.parse(longName)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> JsonCodec.parse(longDocument)).isInstanceOf(JsonException.class);
        assertThat(JsonCodec.parse("\"" + "a".repeat(1000) + "\"")).isEqualTo("a".repeat(1000));
    }

    @Test
    void parseWhenStringHasEscapesThenDecodesThem() {
        assertThat(JsonCodec.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té€\uD83D\uDE00");
    }

    @Test
    void parseWhenUtf8BytesThenDecodes() {
        assertThat(JsonCodec.parse("[\"caf\u00e9\"]".getBytes(StandardCharsets.UTF_8))).isEqualTo(List.of("café"));
    }

    @Test
    void parseWhenInvalidUtf8ThenRejected() {
        byte[] bytes = {'"', (byte) 0xC3, '"'};
        assertThatThrownBy(() -> JsonCodec.parse(bytes)).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenDuplicateKeyThenRejectedWithoutNamingIt() {
        assertThatThrownBy(() -> JsonCodec.parse("{\"secret_name\":1,\"secret_name\":2}"))
                .isInstanceOf(JsonException.class)
                .hasMessageStartingWith("duplicate member name")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret_name"));
        assertThatThrownBy(() -> JsonCodec.parse("{\"a\":{\"b\":1,\"b\":1}}")).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenManyKeysRepeatedThenRefusedAtTheFirstRepetition() {
        StringBuilder keys = new StringBuilder("{");
        for (int i = 0; i < 50_000; i++) {
            keys.append("\"k").append(i % 1000).append("\":1,");
        }
        keys.append("\"end\":1}");

        assertThatThrownBy(() -> JsonCodec.parse(keys.toString())).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("duplicate member name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "[01]", "[1.]", "[.5]",
            "[1e]", "[+1]", "[-]", "NaN", "[Infinity]", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"a\tb\"", "{} {}", "[1] x", "// c\n1", "[1 2]", "{\"a\" 1}", "{\"a\":}", "\"\\u０１２３\""})
    void parseWhenMalformedThenJsonException(String text) {
        assertThatThrownBy(() -> JsonCodec.parse(text)).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenErrorThenMessageNeverQuotesInput() {
        String secretish = "{\"token\": sekret-value}";
        assertThatThrownBy(() -> JsonCodec.parse(secretish))
                .isInstanceOf(JsonException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sekret").doesNotContain("token"));
    }

    @Test
    void parseWhenNestedToMaxDepthThenAcceptedAndOneDeeperThenRejected() {
        String ok = "[".repeat(JsonCodec.MAX_DEPTH) + "]".repeat(JsonCodec.MAX_DEPTH);
        String tooDeep = "[".repeat(JsonCodec.MAX_DEPTH + 1) + "]".repeat(JsonCodec.MAX_DEPTH + 1);
        String deepObjects = "{\"a\":".repeat(JsonCodec.MAX_DEPTH + 1) + "1" + "}".repeat(JsonCodec.MAX_DEPTH + 1);

        assertThat(JsonCodec.parse(ok)).isInstanceOf(List.class);
        assertThatThrownBy(() -> JsonCodec.parse(tooDeep)).isInstanceOf(JsonException.class)
                .hasMessageContaining("nesting");
        assertThatThrownBy(() -> JsonCodec.parse(deepObjects)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> JsonCodec.parse("[".repeat(10_000) + "]".repeat(10_000)))
                .isInstanceOf(JsonException.class).hasMessageContaining("nesting");
    }

    @Test
    void parseWhenResultThenUnmodifiable() {
        Map<String, Object> map = JsonCodec.parseObject("{\"a\":[1]}");
        assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) map.get("a");
        assertThatThrownBy(() -> list.add(2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseObjectWhenNotAnObjectThenRejected() {
        assertThatThrownBy(() -> JsonCodec.parseObject("[1]")).isInstanceOf(JsonException.class)
                .hasMessageContaining("object");
        assertThatThrownBy(() -> JsonCodec.parseObject("\"{}\"")).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenTopLevelScalarThenAcceptedAsRfc8259Allows() {
        assertThat(JsonCodec.parse(" \"x\" ")).isEqualTo("x");
        assertThat(JsonCodec.parse("true")).isEqualTo(true);
        assertThat(JsonCodec.parse("null")).isNull();
    }

    @Test
    void mapperWhenReadingATreeThenTheSameLimitsHold() {
        assertThatThrownBy(() -> JsonCodec.mapper().readTree("[".repeat(10_000)))
                .hasMessageContaining("nesting");
        assertThatThrownBy(() -> JsonCodec.mapper().readTree("{\"a\":1,\"a\":2}"))
                .hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> JsonCodec.mapper().readTree("{} {}")).hasMessageContaining("Trailing");
        assertThatThrownBy(() -> JsonCodec.mapper().readTree("[" + "1".repeat(780_000) + "]"))
                .hasMessageContaining("Number value length");
        assertThatThrownBy(() -> JsonCodec.builder().build().readValue("{\"n\":1.5}", Whole.class))
                .hasMessageContaining("Cannot coerce Floating-point");
    }

    @Test
    void mapperWhenReadingFloatsThenNeverBigDecimal() throws Exception {
        JsonNode node = JsonCodec.mapper().readTree("{\"exp\":1e9999999}");
        assertThat(node.get("exp").isDouble()).isTrue();
    }

    /** A type with a whole number, to see how a fraction is bound to it. */
    record Whole(long n) {
    }

    @Test
    void writeWhenValuesThenCompactJsonThatParsesBack() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("s", "q\"\\\n\u0001é");
        map.put("n", 42);
        map.put("l", List.of(1L, new BigDecimal("2.5"), 0.5d));
        map.put("b", false);
        map.put("z", null);

        String text = JsonCodec.write(map);

        assertThat(text).isEqualTo("{\"s\":\"q\\\"\\\\\\n\\u0001é\",\"n\":42,\"l\":[1,2.5,0.5],\"b\":false,\"z\":null}");
        Map<String, Object> back = JsonCodec.parseObject(text);
        assertThat(back.get("s")).isEqualTo(map.get("s"));
        assertThat(back.get("n")).isEqualTo(42L);
        assertThat(back).containsEntry("z", null);
    }

    @Test
    void writeWhenObjectArrayWithNullThenJsonArray() {
        assertThat(JsonCodec.write(new Object[] {"a", null, 1})).isEqualTo("[\"a\",null,1]");
    }

    @Test
    void writeWhenUnsupportedOrSelfContainingThenJsonException() {
        assertThatThrownBy(() -> JsonCodec.write(new Object())).isInstanceOf(JsonException.class);
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> JsonCodec.write(cycle)).isInstanceOf(JsonException.class);
    }
}
