package io.daxrmap.cli;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The drawing's text is XML 1.0 character data whatever a path holds.
 */
class DeviceMapDrawingTest
{
    @Test
    void shouldWriteAnyPathAsTextAnXmlParserReadsBack() throws Exception
    {
        final String path = "/tmp/ix\u0001<&\"a\u001f>\ud83d\ude00\ud800b\uffff\tc";
        final String xml = "<svg><text>" + DeviceMapDrawing.escape(path) + "</text></svg>";
        final Document parsed = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new InputSource(new StringReader(xml)));
        // the markup characters and a surrogate pair come back; what XML cannot hold comes back as U+FFFD
        assertEquals("/tmp/ix\ufffd<&\"a\ufffd>\ud83d\ude00\ufffdb\ufffd\tc",
            parsed.getDocumentElement().getTextContent());
    }
}
