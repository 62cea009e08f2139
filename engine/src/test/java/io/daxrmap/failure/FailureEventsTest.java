package io.daxrmap.failure;

import io.daxrmap.format.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Event lines: every kind reduced to the bytes it reports (hand-computed), and strict errors naming file, line and
 * field.
 */
class FailureEventsTest
{
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // line | kind | address | length
        "{\"type\":\"phys\",\"address\":\"0x100003047\",\"lsb\":6}                 | PHYSICAL | 0x100003040 | 64",
        "{\"type\":\"mce\",\"address\":4294979655,\"lsb\":0}                        | PHYSICAL | 0x100003047 | 1",
        "{\"type\":\"phys\",\"address\":\"0x100003047\"}                           | PHYSICAL | 0x100003000 | 4096",
        "{\"type\":\"phys\",\"address\":\"0x100203047\",\"lsb\":21}                | PHYSICAL | 0x100200000 | 2097152",
        "{\"type\":\"cper\",\"address\":\"0x100003047\",\"mask\":\"0xffffffffffffffc0\"} | PHYSICAL | 0x100003040 | 64",
        "{\"type\":\"cper\",\"address\":\"0x100003047\",\"mask\":\"0xfffffffffffff000\"} | PHYSICAL | 0x100003000 | 4096",
        "{\"type\":\"mc_event\",\"address\":\"0x100003047\",\"grain_bits\":8}      | PHYSICAL | 0x100003000 | 256",
        "{\"type\":\"memory_failure_event\",\"pfn\":\"0x100003\"}                 | PHYSICAL | 0x100003000 | 4096",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":24,\"count\":3}   | BADBLOCKS | 0x3000 | 1536",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":\"0x18\",\"count\":1,\"relative\":\"region\"} | BADBLOCKS | 0x3000 | 512",
        "{\"type\":\"pre-remove\",\"region\":\"pmem0\"}                            | PRE_REMOVE | 0 | 0",
        // hex as --phys and strtoull take it: leading zeros beyond 16 digits, an upper-case X, in addresses and masks
        "{\"type\":\"phys\",\"address\":\"0x00000000100003047\",\"lsb\":6}         | PHYSICAL | 0x100003040 | 64",
        "{\"type\":\"cper\",\"address\":\"0X100003047\",\"mask\":\"0XFFFFFFFFFFFFFFC0\"} | PHYSICAL | 0x100003040 | 64",
        "{\"type\":\"cper\",\"address\":\"0x100003047\",\"mask\":\"0x0ffffffffffffffc0\"} | PHYSICAL | 0x100003040 | 64",
    })
    void shouldReduceEveryKindToItsBytes(final String line, final String kind, final String address, final long length)
        throws FormatException
    {
        final FailureEvent event = FailureEvents.parse(line, "events.jsonl", 1);
        assertEquals(FailureEvent.Kind.valueOf(kind), event.kind());
        assertEquals(Long.decode(address), event.address());
        assertEquals(length, event.length());
        assertEquals(line.strip(), event.json());
    }

    @Test
    void shouldKeepTheOriginOfBadblocks() throws FormatException
    {
        assertEquals(FailureEvent.Origin.NAMESPACE, FailureEvents.parse(
            "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":1,\"count\":1}", "e", 1).origin());
        assertEquals(FailureEvent.Origin.REGION, FailureEvents.parse(
            "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":1,\"count\":1,\"relative\":\"region\"}", "e", 1).origin());
    }

    @Test
    void shouldReadLinesInOrderSkippingBlankOnes() throws IOException
    {
        final List<String> seen = new ArrayList<>();
        FailureEvents.read(new BufferedReader(new StringReader(
            "{\"type\":\"memory_failure_event\",\"pfn\":1}\n\n  \n{\"type\":\"pre-remove\",\"region\":\"pmem1\"}\n")),
            "e", (event, line) -> seen.add(line + ":" + event.kind()));
        assertEquals(List.of("1:PHYSICAL", "4:PRE_REMOVE"), seen);
    }

    @Test
    void shouldNameTheLineThatIsNotUtf8() throws IOException
    {
        final byte[] text = "{\"type\":\"memory_failure_event\",\"pfn\":1}\n{\"type\":\"pre-remove\",\"region\":\"pm\u00e9\"}\n"
            .getBytes(StandardCharsets.ISO_8859_1);
        final List<Long> seen = new ArrayList<>();
        final FormatException error = assertThrows(FormatException.class, () -> FailureEvents.read(
            new ByteArrayInputStream(text), "e.jsonl", (event, line) -> seen.add(line)));
        assertEquals("e.jsonl:2: not UTF-8 at byte 34 of the line", error.getMessage());
        assertEquals(List.of(1L), seen);
    }

    @Test
    void shouldNameTheInputThatCannotBeRead(@TempDir final Path temp) throws IOException
    {
        try (InputStream in = Files.newInputStream(temp))
        {
            assertEquals(temp + ":1: cannot read: Is a directory", assertThrows(IOException.class,
                () -> FailureEvents.read(in, temp.toString(), (event, line) -> { })).getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"phys\",\"address\":\"0x10z\"}              | events.jsonl:7: field address: not a hex number: \"0x10z\"",
        "{\"type\":\"phys\",\"address\":\"0x10000000000000000\"} | events.jsonl:7: field address: not a hex number: \"0x10000000000000000\"",
        "{\"type\":\"phys\",\"address\":\"0x\"}                 | events.jsonl:7: field address: not a hex number: \"0x\"",
        "{\"type\":\"phys\",\"address\":-4096}                  | events.jsonl:7: field address: must not be negative: -4096",
        "{\"type\":\"phys\",\"address\":4096,\"lsb\":64}        | events.jsonl:7: field lsb: a log2 must be 0..63: 64",
        "{\"type\":\"phys\",\"address\":4096,\"lbs\":6}         | events.jsonl:7: field lbs: unknown field; expected one of address, lsb, type",
        "{\"type\":\"phys\",\"address\":1.5}                    | events.jsonl:7: not JSON: only integers are accepted here at column 27",
        "{\"type\":\"phys\"}                                     | events.jsonl:7: field address: missing",
        "{\"type\":\"mc_event\",\"address\":4096}               | events.jsonl:7: field grain_bits: missing",
        "{\"type\":\"cper\",\"address\":4096,\"mask\":\"0xff00ff00\"} | events.jsonl:7: field mask: not an address mask (high bits set, low bits clear): 0xff00ff00",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":1,\"count\":0} | events.jsonl:7: field count: must be positive: 0",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":0,\"count\":\"0x7fffffffffffffff\"} | events.jsonl:7: field count: more sectors than 64 bits of bytes hold: 9223372036854775807",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":\"0x3fffffffffffffff\",\"count\":8} | events.jsonl:7: field sector: range overflows 64 bits: sector=4611686018427387903 count=8",
        "{\"type\":\"phys\",\"address\":\"0x7ffffffffffffff0\"} | events.jsonl:7: field address: bad event range: address=9223372036854771712 length=4096",
        "{\"type\":\"memory_failure_event\",\"pfn\":\"0x7ffffffffffff\"} | events.jsonl:7: field pfn: bad event range: address=9223372036854771712 length=4096",
        "{\"type\":\"badblocks\",\"region\":\"pmem0\",\"sector\":1,\"count\":1,\"relative\":\"disk\"} | events.jsonl:7: field relative: expected \"namespace\" or \"region\": \"disk\"",
        "{\"type\":\"poison\"}                                   | events.jsonl:7: field type: unknown event type \"poison\"; expected phys, mce, cper, mc_event, memory_failure_event, badblocks or pre-remove",
        "[1]                                                     | events.jsonl:7: expected a JSON object",
        "{\"type\":\"phys\",\"address\":1} x                    | events.jsonl:7: not JSON: unexpected text after the value at column 29",
        "{\"type\":\"pre-remove\",\"region\":\"pmem\\u+079\"}    | events.jsonl:7: not JSON: bad \\u escape: 4 hex digits expected at column 38",
        "{\"type\":\"pre-remove\",\"region\":\"pmem\\u-001\"}    | events.jsonl:7: not JSON: bad \\u escape: 4 hex digits expected at column 38",
        "{\"type\":\"pre-remove\",\"region\":\"pmem\\u0\u0660\u0660\u0660\"} | events.jsonl:7: not JSON: bad \\u escape: 4 hex digits expected at column 38",
        "{\"type\":\"phys\",\"address\":4096,\"lsb\":1\u0662}       | events.jsonl:7: not JSON: expected '}' at column 38",
        "{\"type\":\"phys\",\"address\":\u0661\u0662}            | events.jsonl:7: not JSON: unexpected character '\u0661' at column 26",
        "{\"type\":\"phys\",\"address\":\"0x1\u0662\"}          | events.jsonl:7: field address: not a hex number: \"0x1\u0662\"",
        "{\"type\":\"cper\",\"address\":1,\"mask\":\"0x\u0661\"} | events.jsonl:7: field mask: not a hex number: \"0x\u0661\"",
    })
    void shouldNameTheLineAndFieldOfABadEvent(final String line, final String message)
    {
        assertEquals(message, assertThrows(FormatException.class,
            () -> FailureEvents.parse(line, "events.jsonl", 7)).getMessage());
    }
}
