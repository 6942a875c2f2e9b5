// A whole llama-family decoder layer for the few rows of a decoding step, as one MLX
// primitive: a step of SmolLM2-135M is otherwise some 750 small graph nodes, and on a
// CPU MLX's cost per node (~18 us) and its attention over the cache were most of it
// once the products ran packed (docs/benchmarks.md).

#pragma once

#include <optional>
#include <vector>

#include "mlx/ops.h"
#include "mlx/primitives.h"

namespace punie {

namespace mx = mlx::core;

// The layer's seven projections, in this order.
constexpr int kProjections = 7;  // q, k, v, o, gate, up, down

// One decoder layer (pre-norm attention with RoPE and grouped KV heads, then a SwiGLU
// MLP) applied to h: [1, L, D] at positions offset .. offset + L - 1.
// keys, values: [1, n_kv_heads, capacity, head_dim], the cache before this step (valid
// up to offset). weights: the seven projections' (w, scales, biases), flattened; bits:
// their widths; lora: their (a, b) pairs flattened, None where a projection has none.
// Returns the layer's output [1, L, D] and this step's keys and values
// [1, n_kv_heads, L, head_dim] (after RoPE), for the caller's cache.
std::vector<mx::array> decode_block(
    const mx::array& h,
    const mx::array& keys,
    const mx::array& values,
    int offset,
    const mx::array& input_norm,
    const mx::array& post_norm,
    float norm_eps,
    const std::vector<mx::array>& weights,
    const std::vector<int>& bits,
    const std::vector<std::optional<mx::array>>& lora,
    float lora_scale,
    int n_heads,
    float attention_scale,
    float rope_base,
    float rope_scale,
    bool rope_traditional,
    int threads,
    mx::StreamOrDevice s = {});

class DecodeBlock : public mx::Primitive {
 public:
  struct Config {
    int offset;
    int n_heads;
    float norm_eps;
    float attention_scale;
    float rope_base;
    float rope_scale;
    bool rope_traditional;
    float lora_scale;
    int threads;
    std::vector<int> bits;
    std::vector<bool> has_lora;
  };

  DecodeBlock(mx::Stream stream, Config config)
      : mx::Primitive(stream), config_(std::move(config)) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs)
      override;
  void eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs)
      override;

  const char* name() const override {
    return "DecodeBlock";
  }

 private:
  Config config_;
};

} // namespace punie
