// Counts the pixels of each colour in a PNG: prints "size W H", then "colour #rrggbb N" for every
// colour, most frequent first; with two PNGs of one size, prints "differ N", the pixels that differ.
// test/svg/PngColours.java — used by test/svg/run.sh to check what headless Chromium drew.
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.*;
import javax.imageio.ImageIO;

public class PngColours {
    public static void main(String[] args) throws Exception {
        BufferedImage img = ImageIO.read(new File(args[0]));
        if (args.length > 1) {
            BufferedImage other = ImageIO.read(new File(args[1]));
            if (other.getWidth() != img.getWidth() || other.getHeight() != img.getHeight()) {
                System.out.println("differ " + (img.getWidth() * img.getHeight()) + " (sizes differ)");
                return;
            }
            int n = 0;
            for (int y = 0; y < img.getHeight(); y++)
                for (int x = 0; x < img.getWidth(); x++)
                    if ((img.getRGB(x, y) & 0xffffff) != (other.getRGB(x, y) & 0xffffff))
                        n++;
            System.out.println("differ " + n);
            return;
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++)
                counts.merge(img.getRGB(x, y) & 0xffffff, 1, Integer::sum);
        System.out.println("size " + img.getWidth() + " " + img.getHeight());
        counts.entrySet().stream()
              .sorted((a, b) -> b.getValue() - a.getValue())
              .forEach(e -> System.out.printf("colour #%06x %d%n", e.getKey(), e.getValue()));
    }
}
