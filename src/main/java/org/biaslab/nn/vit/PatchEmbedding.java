package org.biaslab.nn.vit;

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

    /** Images (B, C, H, W) -> patch embeddings (B, H/P · W/P, d), patches in row-major order. */
    public Tensor forward(Tensor pixels) {
        int b = pixels.dim(0), c = pixels.dim(1), h = pixels.dim(2), w = pixels.dim(3), p = patch;
        if (c != channels || h % p != 0 || w % p != 0) {
            throw new IllegalArgumentException("patch embedding: images " + pixels.shape() + " need " + channels + " channels and sides divisible by " + p);
        }
        int n = (h / p) * (w / p), k = c * p * p;
        Tensor patches = hook("hook_in", pixels)
                .reshape(b, c, h / p, p, w / p, p)
                .permute(0, 2, 4, 1, 3, 5) // (B, H/P, W/P, C, P, P): one row per patch, in the kernel's (C, P, P) order
                .reshape(b * n, k);
        Tensor y = patches.matmulT(p("weight").reshape(d, k)).add(p("bias")); // (B·N, CPP) x (d, CPP)ᵀ -> (B·N, d)
        return hook("hook_out", y.reshape(b, n, d));
    }
}
