package io.loomsocket.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** Horizontal bar charts as plain SVG text: one bar per row (the median), a min–max whisker, a value label. */
final class SvgChart {

    /** One row: the bar is {@code value}, the whisker spans {@code min}–{@code max}. */
    record Bar(String label, double value, double min, double max) {}

    private static final int WIDTH = 700;
    private static final int LABEL_WIDTH = 170;
    private static final int VALUE_WIDTH = 110;
    private static final int ROW = 30;
    private static final int TOP = 40;
    private static final int BOTTOM = 12;

    private SvgChart() {}

    static String render(String title, List<Bar> bars, DoubleFunction<String> format) {
        double top = 0;
        for (Bar b : bars) {
            top = Math.max(top, Math.max(b.value(), b.max()));
        }
        if (top <= 0) {
            top = 1;
        }
        int plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        int height = TOP + ROW * bars.size() + BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height));
        sb.append(String.format(Locale.ROOT, "  <rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, height));
        sb.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                10, escape(title)));
        for (int r = 0; r < bars.size(); r++) {
            Bar b = bars.get(r);
            int y = TOP + r * ROW;
            double w = b.value() / top * plot;
            double x0 = LABEL_WIDTH + b.min() / top * plot;
            double x1 = LABEL_WIDTH + b.max() / top * plot;
            int mid = y + ROW / 2 - 2;
            String color = b.label().startsWith("loomsocket") ? "#2b6cb0" : "#a0aec0";
            sb.append(String.format(Locale.ROOT,
                    "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n",
                    LABEL_WIDTH - 8, mid, escape(b.label())));
            sb.append(String.format(Locale.ROOT,
                    "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    LABEL_WIDTH, y + 4, w, ROW - 12, color));
            if (b.max() > b.min()) {
                sb.append(String.format(Locale.ROOT,
                        "  <path d=\"M%.1f %d H%.1f M%.1f %d V%d M%.1f %d V%d\" stroke=\"#1a202c\" stroke-width=\"1.5\"/>%n",
                        x0, mid, x1, x0, mid - 6, mid + 6, x1, mid - 6, mid + 6));
            }
            sb.append(String.format(Locale.ROOT,
                    "  <text x=\"%.1f\" y=\"%d\" dominant-baseline=\"middle\">%s</text>%n",
                    Math.max(LABEL_WIDTH + w, x1) + 6, mid, escape(format.apply(b.value()))));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
