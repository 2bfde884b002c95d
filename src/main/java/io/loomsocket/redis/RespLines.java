package io.loomsocket.redis;

import java.nio.charset.StandardCharsets;

/**
 * The text of one RESP line, {@code buf[from..to)} without its type byte and CRLF, as a number,
 * a double, a big number or a string: strict, since a lenient parse of a broken stream would
 * only fail later and further from the cause. Every error is a {@link RespProtocolException}
 * that quotes the line (40 bytes at most). Stateless; for {@link RespParser}.
 */
final class RespLines {

    private RespLines() {
    }

    static String text(byte[] buf, int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }

    /** A strict decimal: an optional '-', then 1 to 19 digits, within a long. */
    static long parseLong(byte[] buf, int from, int to, String what) throws RespProtocolException {
        int i = from;
        boolean negative = i < to && buf[i] == '-';
        if (negative) {
            i++;
        }
        if (i == to || to - i > 19) {
            throw new RespProtocolException("bad " + what + " " + quote(buf, from, to));
        }
        long value = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new RespProtocolException("bad " + what + " " + quote(buf, from, to));
            }
            if (value < (Long.MIN_VALUE + d) / 10) { // accumulated negatively, so that Long.MIN_VALUE fits
                throw new RespProtocolException("bad " + what + " " + quote(buf, from, to) + " (beyond 64 bits)");
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw new RespProtocolException("bad " + what + " " + quote(buf, from, to) + " (beyond 64 bits)");
            }
            value = -value;
        }
        return value;
    }

    static double parseDouble(byte[] buf, int from, int to) throws RespProtocolException {
        String s = text(buf, from, to);
        switch (s) {
            case "inf", "+inf":
                return java.lang.Double.POSITIVE_INFINITY;
            case "-inf":
                return java.lang.Double.NEGATIVE_INFINITY;
            case "nan", "-nan":
                return java.lang.Double.NaN;
            default:
                break;
        }
        boolean ok = !s.isEmpty();
        for (int i = 0; i < s.length() && ok; i++) {
            char c = s.charAt(i);
            ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        }
        if (ok) {
            try {
                return java.lang.Double.parseDouble(s);
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new RespProtocolException("bad double " + quote(buf, from, to));
    }

    static String parseBigNumber(byte[] buf, int from, int to) throws RespProtocolException {
        int i = from < to && buf[from] == '-' ? from + 1 : from;
        if (i == to) {
            throw new RespProtocolException("bad big number " + quote(buf, from, to));
        }
        for (; i < to; i++) {
            if (buf[i] < '0' || buf[i] > '9') {
                throw new RespProtocolException("bad big number " + quote(buf, from, to));
            }
        }
        return text(buf, from, to);
    }

    /** Up to 40 bytes of the line, quoted, non-printable bytes as \xNN: for error messages. */
    static String quote(byte[] buf, int from, int to) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = from; i < Math.min(to, from + 40); i++) {
            int b = buf[i] & 0xff;
            sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return sb.append(to - from > 40 ? "...'" : "'").toString();
    }
}
