package org.biaslab.nn.vit;

import org.biaslab.nn.Affine;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * ViT's patch embedding (Dosovitskiy et al. 2021), a Conv2d with kernel = stride = P, as HuggingFace's
 * {@code patch_embeddings.projection}: {@code weight} (d, C, P, P) and {@code bias} (d). Because the patches do not
 * overlap, the convolution is a reshape into patches and one matmul. PyTorch's Conv2d init: U(±1/√(C·P·P)).
 */
public final class PatchEmbedding extends Module {
    private final int d, channels, patch;

    public PatchEmbedding(int d, int channels, int patch, Init init) {
        super(init.members());
        this.d = d;
        this.channels = channels;
        this.patch = patch;
        double bound = 1 / Math.sqrt(channels * patch * patch);
        register("weight", init.uniform(bound, d, channels, patch, patch));
        register("bias", init.uniform(bound, d));
    }

    /**
     * Images (B, C, H, W) -> patch embeddings (B, H/P · W/P, d), patches in row-major order; for an ensemble
     * (E, B, C, H, W) -> (E, B, N, d), member e's images through member e's kernel.
     */
    public Tensor forward(Tensor pixels) {
        int lead = members == 1 ? 0 : 1;
        if (pixels.shape().rank() != 4 + lead || (lead == 1 && pixels.dim(0) != members)) {
            throw new IllegalArgumentException("patch embedding: images " + pixels.shape() + " must be "
                    + (lead == 1 ? "(E = " + members + ", B, C, H, W)" : "(B, C, H, W)"));
        }
        int b = pixels.dim(lead), c = pixels.dim(lead + 1), h = pixels.dim(lead + 2), w = pixels.dim(lead + 3), p = patch;
        if (c != channels || h % p != 0 || w % p != 0) {
            throw new IllegalArgumentException("patch embedding: images " + pixels.shape() + " need " + channels + " channels and sides divisible by " + p);
        }
        int n = (h / p) * (w / p), k = c * p * p, e = members;
        Tensor in = hook("hook_in", pixels);
        // one row per patch, in the kernel's (C, P, P) order: (…, B, H/P, W/P, C, P, P)
        Tensor patches = lead == 0 ? in.reshape(b, c, h / p, p, w / p, p).permute(0, 2, 4, 1, 3, 5)
                : in.reshape(e, b, c, h / p, p, w / p, p).permute(0, 1, 3, 5, 2, 4, 6);
        Tensor kernel = lead == 0 ? p("weight").reshape(d, k) : p("weight").reshape(e, d, k);
        Tensor y = Affine.apply(patches.reshape(-1, k), kernel, p("bias"), members); // (…·B·N, CPP) x (d, CPP)ᵀ -> (…·B·N, d)
        return hook("hook_out", lead == 0 ? y.reshape(b, n, d) : y.reshape(e, b, n, d));
    }
}
