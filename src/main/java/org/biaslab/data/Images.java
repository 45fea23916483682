package org.biaslab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.biaslab.tensor.Tensor;

/** One image for a vision model: a PNG (or any format javax.imageio reads), or one image of an IDX file. */
public final class Images {
    private Images() {}

    /**
     * {@code FILE.png}, or {@code FILE.idx[:index]} (index default 0; an IDX file is recognised by its magic number, not
     * its name), as (1, C, H, W) with pixels in [0, 1]: C = 1 for a grey image, 3 for colour (alpha dropped).
     */
    public static Tensor read(String spec) throws IOException {
        int colon = spec.lastIndexOf(':');
        boolean indexed = colon > 0 && spec.substring(colon + 1).matches("\\d{1,9}");
        Path file = Path.of(indexed ? spec.substring(0, colon) : spec);
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such image file");
        if (indexed) return idx(file, Integer.parseInt(spec.substring(colon + 1)));
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) return idx(file, 0); // not a format javax.imageio knows: IDX or an error naming it
        return pixels(image);
    }

    private static Tensor idx(Path file, int index) throws IOException {
        Tensor all = Idx.readImages(file); // (N, 1, H, W)
        if (index >= all.dim(0)) throw new IllegalArgumentException(file + " holds " + all.dim(0) + " images (0 … " + (all.dim(0) - 1) + "), not image " + index);
        return all.slice(0, index, index + 1);
    }

    /**
     * An image's pixels (1, C, H, W) in [0, 1]: one channel when every pixel is grey, else R, G, B. A grey image's
     * samples are read as stored (getRGB would map them through a gamma curve).
     */
    static Tensor pixels(BufferedImage image) {
        int h = image.getHeight(), w = image.getWidth();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY || image.getType() == BufferedImage.TYPE_USHORT_GRAY) {
            double max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            double[] s = image.getRaster().getSamples(0, 0, w, h, 0, (double[]) null);
            float[] v = new float[s.length];
            for (int k = 0; k < s.length; k++) v[k] = (float) (s[k] / max);
            return Tensor.of(v, 1, 1, h, w);
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean grey = true;
        for (int p : argb) grey &= ((p >> 16) & 0xff) == ((p >> 8) & 0xff) && ((p >> 8) & 0xff) == (p & 0xff);
        int c = grey ? 1 : 3;
        float[] v = new float[c * h * w];
        for (int k = 0; k < argb.length; k++) {
            for (int ch = 0; ch < c; ch++) v[ch * h * w + k] = ((argb[k] >> (16 - 8 * ch)) & 0xff) / 255f;
        }
        return Tensor.of(v, 1, c, h, w);
    }
}
