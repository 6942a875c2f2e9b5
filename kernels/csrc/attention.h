// Causal attention on the CPU, for a decoding step's few rows and for a prompt's many,
// and the prompt's SwiGLU: MLX's CPU attention and its elementwise exp are scalar and
// single-threaded, and for a 466-token prompt they took most of the prefill (32 ms of a
// layer's 65 for attention, 11 for SwiGLU).

#pragma once

#include <cstdint>

#include "mlx/ops.h"
#include "mlx/primitives.h"

namespace punie {

namespace mx = mlx::core;

// Keys (or values) of position t of KV head j, in a strided buffer.
struct CacheView {
  const float* data;
  int64_t head_stride;
  int64_t position_stride;
  const float* at(int64_t j, int64_t t) const {
    return data + j * head_stride + t * position_stride;
  }
};

// Positions below `split` come from `past`, the rest from `recent` (counted from split).
struct KeyValues {
  CacheView past_keys;
  CacheView past_values;
  int64_t split;
  CacheView recent_keys;
  CacheView recent_values;
};

// out[i, h] = softmax(scale * q[i, h] . k) v over positions 0 .. base + i, for q and out
// laid out [rows, n_heads, head_dim]; query head h reads KV head h / (n_heads / n_kv).
void attention(
    const float* q, const KeyValues& kv, int64_t base, int64_t rows, int64_t n_heads,
    int64_t n_kv, int64_t head_dim, float scale, float* out, int threads);

// A prompt's attention: queries [1, H, L, D], keys and values [1, KV, T, D] (the cache
// after this prompt's rows were added, T >= L), row i attending positions
// 0 .. T - L + i; returns [1, L, H * D] (the layout the output projection takes).
mx::array causal_attention(
    const mx::array& queries, const mx::array& keys, const mx::array& values, float scale,
    int threads, mx::StreamOrDevice s = {});

// out[i] = silu(gate[i]) * up[i] on raw buffers (a step's or a prompt's SwiGLU).
void swiglu(const float* gate, const float* up, float* out, int64_t n);

// silu(gate) * up, elementwise, float32.
mx::array silu_mul(
    const mx::array& gate, const mx::array& up, int threads, mx::StreamOrDevice s = {});

class CausalAttention : public mx::UnaryPrimitive {
 public:
  CausalAttention(mx::Stream stream, float scale, int threads)
      : mx::UnaryPrimitive(stream), scale_(scale), threads_(threads) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  void eval_gpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  const char* name() const override {
    return "CausalAttention";
  }

 private:
  float scale_;
  int threads_;
};

class SiluMul : public mx::UnaryPrimitive {
 public:
  SiluMul(mx::Stream stream, int threads) : mx::UnaryPrimitive(stream), threads_(threads) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  void eval_gpu(const std::vector<mx::array>& inputs, mx::array& out) override;
  const char* name() const override {
    return "SiluMul";
  }

 private:
  int threads_;
};

} // namespace punie
