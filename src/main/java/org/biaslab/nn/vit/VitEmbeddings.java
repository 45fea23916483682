package org.biaslab.nn.vit;

import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * ViT's input: a learned {@code cls_token} (1, 1, d) before the patch embeddings ({@code patch_embeddings.projection}),
 * plus learned {@code position_embeddings} (1, N + 1, d). Images must have the configured size (no interpolation).
 */
public final class VitEmbeddings extends Module {
    private final VitConfig c;
    private final PatchEmbedding patches;

    public VitEmbeddings(VitConfig c, Init init) {
        super(init.members());
        this.c = c;
        register("cls_token", init.normal(c.initializerRange(), 1, 1, c.hiddenSize()));
        register("position_embeddings", init.normal(c.initializerRange(), 1, c.patches() + 1, c.hiddenSize()));
        patches = child("patch_embeddings.projection", new PatchEmbedding(c.hiddenSize(), c.numChannels(), c.patchSize(), init));
    }

    /** Images (B, C, H, W) -> tokens (B, N + 1, d), the CLS token first. */
    public Tensor forward(Tensor pixels) {
        if (pixels.shape().rank() != 4 || pixels.dim(2) != c.imageSize() || pixels.dim(3) != c.imageSize()) {
            throw new IllegalArgumentException("vit: pixel values " + pixels.shape() + " must be (B, " + c.numChannels() + ", "
                    + c.imageSize() + ", " + c.imageSize() + ")");
        }
        int b = pixels.dim(0);
        Tensor cls = p("cls_token").expand(b, 1, c.hiddenSize()); // (1, 1, d) -> (B, 1, d)
        return Tensor.concat(1, cls, patches.forward(pixels)).add(p("position_embeddings")); // (B, N + 1, d)
    }
}
