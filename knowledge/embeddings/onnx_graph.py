"""Builds an ONNX graph of all-MiniLM-L6-v2 (BERT encoder + mean pooling + L2 norm) from its weights.

Only the `onnx` package is used, so no torch export is needed. The graph takes `input_ids` and
`attention_mask` (int64, [batch, sequence], both dynamic) and returns `sentence_embedding`
(float32, [batch, hidden]): the masked mean of the last hidden states, L2-normalised, exactly
what sentence-transformers' Transformer → Pooling(mean) → Normalize pipeline computes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # the first opset with LayerNormalization
IR_VERSION = 8  # the oldest IR that carries opset 17, for older onnxruntime builds
OUTPUT_NAME = "sentence_embedding"


class _GraphBuilder:
    """Accumulates nodes and initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._counter = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str | None = None, **attrs: Any) -> str:
        self._counter += 1
        out = name or f"{op_type.lower()}_{self._counter}"
        self.nodes.append(
            helper.make_node(op_type, inputs, [out], name=f"{op_type}_{self._counter}", **attrs)
        )
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, prefix: str) -> str:
        # torch Linear stores [out, in]; MatMul wants [in, out].
        w = self.const(f"{prefix}.weight_t", np.ascontiguousarray(weight.T, dtype=np.float32))
        b = self.const(f"{prefix}.bias", bias.astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(self, x: str, weights: Mapping[str, np.ndarray], prefix: str, eps: float) -> str:
        scale = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"].astype(np.float32))
        bias = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)


def build_minilm_graph(weights: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> onnx.ModelProto:
    """Return the sentence-embedding model for BERT `weights` (HF names) and its `config.json`."""
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config["layer_norm_eps"])
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config['hidden_act']!r}; only erf GELU is built")
    if hidden % heads:
        raise ValueError(f"hidden size {hidden} is not divisible by {heads} heads")
    head_dim = hidden // heads

    g = _GraphBuilder()
    axes_1 = g.const("axes_1", np.array([1], dtype=np.int64))
    axes_last = g.const("axes_last", np.array([-1], dtype=np.int64))
    one = g.const("one_f", np.array(1.0, np.float32))
    half = g.const("half_f", np.array(0.5, np.float32))
    sqrt2 = g.const("sqrt2_f", np.array(math.sqrt(2.0), np.float32))

    # Embeddings. token_type_ids are always zero for single sentences, so the type-0 row is
    # folded into the position table instead of being a graph input.
    word_table = g.const("word_embeddings", weights["embeddings.word_embeddings.weight"])
    pos_table = g.const(
        "position_plus_type0_embeddings",
        (
            weights["embeddings.position_embeddings.weight"]
            + weights["embeddings.token_type_embeddings.weight"][0]
        ).astype(np.float32),
    )
    seq_len = g.op(
        "Gather",
        [g.op("Shape", ["input_ids"]), g.const("one_idx", np.array(1, dtype=np.int64))],
        axis=0,
    )
    positions = g.op(
        "Range",
        [
            g.const("zero_i64", np.array(0, dtype=np.int64)),
            seq_len,
            g.const("one_i64", np.array(1, dtype=np.int64)),
        ],
    )
    x = g.op(
        "Add",
        [g.op("Gather", [word_table, "input_ids"], axis=0), g.op("Gather", [pos_table, positions], axis=0)],
    )
    x = g.layer_norm(x, weights, "embeddings.LayerNorm", eps)

    # Additive attention bias: 0 for real tokens, float32 min for padding, shaped [B, 1, 1, S].
    mask_f = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    inverted = g.op("Sub", [one, mask_f])
    bias = g.op("Mul", [inverted, g.const("mask_fill", np.array(np.finfo(np.float32).min, np.float32))])
    bias = g.op("Unsqueeze", [bias, g.const("axes_1_2", np.array([1, 2], dtype=np.int64))])

    split_heads = g.const("split_heads_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_heads = g.const("merge_heads_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = 1.0 / math.sqrt(head_dim)

    for i in range(layers):
        p = f"encoder.layer.{i}"
        attn = f"{p}.attention.self"
        # One fused QKV MatMul; the 1/sqrt(head_dim) score scale is folded into the Q weights.
        w_qkv = np.concatenate(
            [
                weights[f"{attn}.query.weight"] * scale,
                weights[f"{attn}.key.weight"],
                weights[f"{attn}.value.weight"],
            ],
            axis=0,
        )
        b_qkv = np.concatenate(
            [
                weights[f"{attn}.query.bias"] * scale,
                weights[f"{attn}.key.bias"],
                weights[f"{attn}.value.bias"],
            ],
            axis=0,
        )
        qkv = g.linear(x, w_qkv, b_qkv, f"{attn}.qkv")
        q, k, v = (f"{attn}.{n}" for n in ("q", "k", "v"))
        split_sizes = g.const(f"{attn}.split", np.array([hidden] * 3, dtype=np.int64))
        g.nodes.append(helper.make_node("Split", [qkv, split_sizes], [q, k, v], name=f"Split_{p}", axis=-1))
        qh = g.op("Transpose", [g.op("Reshape", [q, split_heads])], perm=[0, 2, 1, 3])
        kh = g.op("Transpose", [g.op("Reshape", [k, split_heads])], perm=[0, 2, 3, 1])
        vh = g.op("Transpose", [g.op("Reshape", [v, split_heads])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("MatMul", [qh, kh]), bias])
        probs = g.op("Softmax", [scores], axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [probs, vh])], perm=[0, 2, 1, 3])
        context = g.op("Reshape", [context, merge_heads])
        out = g.linear(
            context,
            weights[f"{p}.attention.output.dense.weight"],
            weights[f"{p}.attention.output.dense.bias"],
            f"{p}.attention.output.dense",
        )
        x = g.layer_norm(g.op("Add", [out, x]), weights, f"{p}.attention.output.LayerNorm", eps)

        h = g.linear(
            x,
            weights[f"{p}.intermediate.dense.weight"],
            weights[f"{p}.intermediate.dense.bias"],
            f"{p}.intermediate.dense",
        )
        # Exact GELU, 0.5 * h * (1 + erf(h / sqrt(2))): the pattern onnxruntime fuses to BiasGelu.
        erf = g.op("Erf", [g.op("Div", [h, sqrt2])])
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, one])]), half])
        out = g.linear(
            h,
            weights[f"{p}.output.dense.weight"],
            weights[f"{p}.output.dense.bias"],
            f"{p}.output.dense",
        )
        x = g.layer_norm(g.op("Add", [out, x]), weights, f"{p}.output.LayerNorm", eps)

    # Masked mean pooling, clamped like sentence-transformers (min 1e-9 tokens).
    mask_3d = g.op("Unsqueeze", [mask_f, axes_last])
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask_3d]), axes_1], keepdims=0)
    counts = g.op("ReduceSum", [mask_f, axes_1], keepdims=1)
    counts = g.op("Max", [counts, g.const("min_count", np.array(1e-9, np.float32))])
    mean = g.op("Div", [summed, counts])
    # L2 normalisation as torch.nn.functional.normalize: x / max(||x||, 1e-12).
    norm = g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [mean, mean]), axes_last], keepdims=1)])
    norm = g.op("Max", [norm, g.const("min_norm", np.array(1e-12, np.float32))])
    g.op("Div", [mean, norm], name=OUTPUT_NAME)

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        outputs=[helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="aifbot")
    model.ir_version = IR_VERSION
    return model
