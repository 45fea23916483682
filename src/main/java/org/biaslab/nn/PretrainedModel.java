package org.biaslab.nn;

import java.util.List;
import org.biaslab.tensor.Tensor;

/**
 * A pretrained architecture loaded from a checkpoint (ONNX, or safetensors + HuggingFace {@code config.json}), as
 * {@code analyse} and the probes use it. Parameters carry HuggingFace's names, so one module loads both formats;
 * {@code org.biaslab.nn.Models.load(Path)} picks the loader for a file or directory (in {@code nn}, not {@code io}: it
 * builds modules, and {@code io} sits below {@code nn}).
 */
public interface PretrainedModel {
    /** HuggingFace's {@code model_type}: "bert", "gpt2", "vit", "t5". */
    String architecture();

    /** The root module: parameters by HuggingFace name, hook points (docs/hooks.md). */
    Module module();

    /** Number of transformer blocks (an encoder–decoder counts both stacks). */
    int layers();

    /**
     * The residual stream after the embeddings and after every block, as HuggingFace's {@code hidden_states}:
     * {@code layers() + 1} tensors (B, T, d) for one stack; an encoder–decoder gives the encoder's list, then the
     * decoder's.
     */
    List<Tensor> hiddenStates(Input input);

    /** The same architecture with fresh parameters drawn by HuggingFace's initialisation scheme from {@code seed}. */
    PretrainedModel randomInit(long seed);

    /**
     * A forward pass's inputs, named as HuggingFace's {@code forward} arguments; a model reads the ones it needs and
     * rejects a missing one. Token tensors are int32 (B, T); {@code attentionMask} is 1 at real tokens, 0 at padding;
     * {@code pixelValues} is (B, C, H, W).
     */
    record Input(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor pixelValues, Tensor decoderInputIds) {
        /** Token ids with their attention mask (token types and decoder ids absent). */
        public static Input tokens(Tensor inputIds, Tensor attentionMask) {
            return new Input(inputIds, attentionMask, null, null, null);
        }

        /** Images for a vision encoder. */
        public static Input pixels(Tensor pixelValues) {
            return new Input(null, null, null, pixelValues, null);
        }
    }
}
