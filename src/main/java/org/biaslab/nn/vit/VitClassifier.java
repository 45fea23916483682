package org.biaslab.nn.vit;

import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.Linear;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.Tensor;

/**
 * An image classifier in HuggingFace's {@code ViTForImageClassification} layout: {@code vit} ({@link Vit}: patch
 * embedding, class token, learned positions, Pre-LN layers with GELU MLPs, final LayerNorm) and {@code classifier},
 * a linear head on the class token. The layers' attention is an {@link AttentionVariant}. Parameters start from each
 * module's own initialisation; an ensemble (E seeds) takes images (E, B, C, H, W) and returns logits (E, B, classes).
 */
public final class VitClassifier extends Module {
    private final Vit vit;
    private final Linear classifier;
    private final AttentionVariant variant;

    public VitClassifier(VitConfig config, AttentionVariant variant, int classes, Init init) {
        super(init.members());
        this.variant = variant;
        vit = child("vit", new Vit(config, Activation.GELU, variant, init));
        classifier = child("classifier", new Linear(config.hiddenSize(), classes, true, init));
    }

    /**
     * The MNIST default, small enough to train in minutes on 2 cores: 28×28 grey images in 7×7 patches (16 tokens
     * and the class token), d 64, 4 layers, 4 heads, MLP 128, LayerNorm eps 1e-6.
     */
    public static VitConfig mnist() {
        return new VitConfig(64, 4, 4, 128, "gelu", 1e-6, 28, 7, 1, true, 0.02);
    }

    /** ViT-Ti's shape (DeiT-Ti: d 192, 12 layers, 3 heads, MLP 768) for images of the given size, patch and channels. */
    public static VitConfig tiny(int imageSize, int patchSize, int channels) {
        return new VitConfig(192, 12, 3, 768, "gelu", 1e-6, imageSize, patchSize, channels, true, 0.02);
    }

    public Vit vit() {
        return vit;
    }

    public AttentionVariant variant() {
        return variant;
    }

    /** Logits (B, classes) of images (B, C, H, W); (E, B, classes) of (E, B, C, H, W) for an ensemble. */
    public Tensor forward(Tensor pixels) {
        Tensor h = vit.lastHiddenState(Input.pixels(pixels)); // (…, B, N + 1, d)
        Tensor cls = h.slice(-2, 0, 1); // (…, B, 1, d)
        int[] dims = cls.shape().dims();
        dims[dims.length - 2] = dims[dims.length - 1];
        Tensor logits = classifier.forward(cls.reshape(java.util.Arrays.copyOf(dims, dims.length - 1))); // (…, B, d) -> (…, B, classes)
        return hook("hook_logits", logits);
    }
}
