package dev.switchboard.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class JsonTest {
    @Test
    void parseWhenObjectThenKeepsMemberOrderAndTypes() {
        Object value = Json.parse(" {\"z\": 1, \"a\": [true, false, null], \"m\": {\"s\": \"x\"}, \"d\": 1.5} ");

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        assertThat(map.keySet()).containsExactly("z", "a", "m", "d");
        assertThat(map.get("z")).isEqualTo(1L);
        assertThat(map.get("a")).isEqualTo(Arrays.asList(true, false, null));
        assertThat(map.get("m")).isEqualTo(Map.of("s", "x"));
        assertThat(map.get("d")).isEqualTo(new BigDecimal("1.5"));
    }

    @Test
    void parseWhenNumbersThenLongOrBigDecimalWithoutPrecisionLoss() {
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-0")).isEqualTo(0L);
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigDecimal("9223372036854775808"));
        assertThat(Json.parse("1e3")).isEqualTo(new BigDecimal("1e3"));
        assertThat(Json.parse("-12.50E-2")).isEqualTo(new BigDecimal("-12.50E-2"));
        assertThat(Json.parse("1700000000123")).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void parseWhenStringHasEscapesThenDecodesThem() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té€\uD83D\uDE00");
    }

    @Test
    void parseWhenStringHasNoEscapeOrOneAfterPlainTextThenSameTextAsWritten() {
        assertThat(Json.parse("{\"plain\":\"call_ringing 42\",\"mixed\":\"ab\\ncd\",\"pair\":\"ab\uD83D\uDE00c\"}"))
                .isEqualTo(Map.of("plain", "call_ringing 42", "mixed", "ab\ncd", "pair", "ab\uD83D\uDE00c"));
        assertThat(Json.parse("[\"\",\"x\"]")).isEqualTo(List.of("", "x"));
        // a lone surrogate in a Java String after plain text is still refused
        assertThatThrownBy(() -> Json.parse("\"ab\uD800c\"")).isInstanceOf(JsonException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> Json.parse("[\"abc")).isInstanceOf(JsonException.class)
                .hasMessageContaining("unterminated");
    }

    @Test
    void parseWhenUtf8BytesThenDecodes() {
        assertThat(Json.parse("[\"caf\u00e9\"]".getBytes(StandardCharsets.UTF_8))).isEqualTo(List.of("café"));
    }

    @Test
    void parseWhenInvalidUtf8ThenRejected() {
        byte[] bytes = {'"', (byte) 0xC3, '"'};
        assertThatThrownBy(() -> Json.parse(bytes)).isInstanceOf(JsonException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void parseWhenDuplicateKeyThenRejectedWithPosition() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.position()).isEqualTo(7))
                .hasMessage("duplicate member name at position 7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "[01]", "[1.]", "[.5]",
            "[1e]", "[+1]", "[-]", "NaN", "[Infinity]", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "{} {}", "[1] x", "// c\n1", "\uFEFF{}",
            "[1 2]", "{\"a\" 1}", "{\"a\":}", "1e2147483648", "\"\\u０１２３\""})
    void parseWhenMalformedThenJsonException(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenErrorThenMessageNeverQuotesInput() {
        String secretish = "{\"token\": sekret-value}";
        assertThatThrownBy(() -> Json.parse(secretish))
                .isInstanceOf(JsonException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sekret").doesNotContain("token"));
    }

    @Test
    void parseWhenNestedToMaxDepthThenAcceptedAndOneDeeperThenRejected() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        String deepObjects = "{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1);

        assertThat(Json.parse(ok)).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse(tooDeep)).isInstanceOf(JsonException.class).hasMessageContaining("nesting");
        assertThatThrownBy(() -> Json.parse(deepObjects)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.parse("[".repeat(100_000))).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenResultThenUnmodifiable() {
        Map<String, Object> map = Json.parseObject("{\"a\":[1]}");
        assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) map.get("a");
        assertThatThrownBy(() -> list.add(2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseObjectWhenNotAnObjectThenRejected() {
        assertThatThrownBy(() -> Json.parseObject("[1]")).isInstanceOf(JsonException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> Json.parseObject("\"{}\"")).isInstanceOf(JsonException.class);
    }

    @Test
    void parseWhenTopLevelScalarThenAcceptedAsRfc8259Allows() {
        assertThat(Json.parse(" \"x\" ")).isEqualTo("x");
        assertThat(Json.parse("true")).isEqualTo(true);
        assertThat(Json.parse("null")).isNull();
    }

    @Test
    void writeWhenValuesThenCompactJsonThatParsesBack() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("s", "q\"\\\n\u0001\u2028é");
        map.put("n", 42);
        map.put("l", List.of(1L, new BigDecimal("2.5"), 0.5d));
        map.put("b", false);
        map.put("z", null);

        String text = Json.write(map);

        assertThat(text).isEqualTo("{\"s\":\"q\\\"\\\\\\n\\u0001\\u2028é\",\"n\":42,\"l\":[1,2.5,0.5],\"b\":false,\"z\":null}");
        Map<String, Object> back = Json.parseObject(text);
        assertThat(back.get("s")).isEqualTo(map.get("s"));
        assertThat(back.get("n")).isEqualTo(42L);
        assertThat(back).containsEntry("z", null);
    }

    @Test
    void writeWhenObjectArrayWithNullThenJsonArray() {
        assertThat(Json.write(new Object[] {"a", null, 1})).isEqualTo("[\"a\",null,1]");
    }

    @Test
    void writeWhenUnsupportedThenJsonException() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.write(Map.of(1, "x"))).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(JsonException.class);
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> Json.write(cycle)).isInstanceOf(JsonException.class).hasMessageContaining("nesting");
    }
}
