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

    /** Images (B, C, H, W) -> tokens (B, N + 1, d), the CLS token first; (E, B, C, H, W) -> (E, B, N + 1, d) for an ensemble. */
    public Tensor forward(Tensor pixels) {
        int lead = members == 1 ? 0 : 1, r = pixels.shape().rank();
        if (r != 4 + lead || pixels.dim(r - 2) != c.imageSize() || pixels.dim(r - 1) != c.imageSize()) {
            throw new IllegalArgumentException("vit: pixel values " + pixels.shape() + " must be (" + (lead == 1 ? "E, " : "") + "B, "
                    + c.numChannels() + ", " + c.imageSize() + ", " + c.imageSize() + ")");
        }
        int b = pixels.dim(lead), d = c.hiddenSize();
        Tensor cls = lead == 0 ? p("cls_token").expand(b, 1, d) : p("cls_token").expand(members, b, 1, d); // (…, 1, 1, d) -> (…, B, 1, d)
        Tensor tokens = Tensor.concat(lead + 1, cls, patches.forward(pixels)); // (…, B, N + 1, d)
        return tokens.add(p("position_embeddings")); // (…, 1, N + 1, d) broadcast over the batch
    }
}
