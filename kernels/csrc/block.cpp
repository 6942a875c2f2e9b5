// The fused decoder layer (see block.h). Same arithmetic as mlx-lm's llama layer, in
// float32: RMSNorm, the q/k/v products, RoPE at the step's positions, attention of each
// new row over the cache and the rows before it, the output product and residual, then
// RMSNorm, gate/up, SiLU, down and residual. The products are the packed ones
// (products.h); the rest is small enough for plain loops.

#include "block.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "mlx/backend/cpu/encoder.h"
#include "attention.h"
#include "products.h"

namespace punie {

namespace {

enum Projection { kQ, kK, kV, kO, kGate, kUp, kDown };

void rms_norm(const float* x, const float* w, float eps, int64_t rows, int64_t d, float* out) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xi = x + i * d;
    float sum = 0.0f;
    for (int64_t j = 0; j < d; ++j) {
      sum += xi[j] * xi[j];
    }
    const float inv = 1.0f / std::sqrt(sum / static_cast<float>(d) + eps);
    for (int64_t j = 0; j < d; ++j) {
      out[i * d + j] = xi[j] * inv * w[j];
    }
  }
}

// Rotates the heads of each row in place (row i at position offset + i). Traditional
// RoPE rotates pairs (2j, 2j + 1), the other form pairs (j, j + head_dim / 2).
void rope(
    float* x, int64_t rows, int64_t heads, int64_t head_dim, int offset, float base,
    float scale, bool traditional) {
  const int64_t half = head_dim / 2;
  const float log_base = std::log(base);
  for (int64_t i = 0; i < rows; ++i) {
    const float position = static_cast<float>(offset + i) * scale;
    for (int64_t j = 0; j < half; ++j) {
      const float inv_freq =
          std::exp(-static_cast<float>(j) * (log_base / static_cast<float>(half)));
      const float theta = position * inv_freq;
      const float c = std::cos(theta);
      const float s = std::sin(theta);
      for (int64_t h = 0; h < heads; ++h) {
        float* v = x + (i * heads + h) * head_dim;
        float* a = traditional ? v + 2 * j : v + j;
        float* b = traditional ? v + 2 * j + 1 : v + j + half;
        const float x1 = *a;
        const float x2 = *b;
        *a = x1 * c - x2 * s;
        *b = x1 * s + x2 * c;
      }
    }
  }
}

// [rows, heads, head_dim] (this step's layout) into [1, heads, rows, head_dim] (the
// cache's).
void to_heads_first(const float* x, int64_t rows, int64_t heads, int64_t head_dim, float* out) {
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t h = 0; h < heads; ++h) {
      std::copy_n(x + (i * heads + h) * head_dim, head_dim, out + (h * rows + i) * head_dim);
    }
  }
}

void check(bool ok, const char* message) {
  if (!ok) {
    throw std::invalid_argument(std::string("decode_block: ") + message);
  }
}

} // namespace

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
    mx::StreamOrDevice s) {
  check(h.ndim() == 3 && h.shape(0) == 1, "h must be [1, L, D]");
  check(keys.ndim() == 4 && keys.shape(0) == 1 && keys.shape() == values.shape(),
        "keys and values must be [1, n_kv_heads, capacity, head_dim]");
  check(offset >= 0 && offset <= keys.shape(2), "offset must lie inside the cache");
  check(static_cast<int>(weights.size()) == 3 * kProjections &&
            static_cast<int>(bits.size()) == kProjections &&
            static_cast<int>(lora.size()) == 2 * kProjections,
        "give (w, scales, biases), bits and (lora_a, lora_b) for each of 7 projections");
  const int n_kv = keys.shape(1);
  const int head_dim = keys.shape(3);
  const int d = h.shape(2);
  check(n_heads % n_kv == 0, "the query heads must be a multiple of the KV heads");
  check(h.dtype() == mx::float32 && keys.dtype() == mx::float32 &&
            values.dtype() == mx::float32,
        "h and the cache must be float32");
  check(input_norm.dtype() == mx::float32 && post_norm.dtype() == mx::float32 &&
            input_norm.size() == static_cast<size_t>(d) &&
            post_norm.size() == static_cast<size_t>(d),
        "the norms' weights must be float32 [D]");
  const auto rows_of = [&](int p) { return weights[3 * p].shape(0); };
  check(rows_of(kQ) == n_heads * head_dim && rows_of(kK) == n_kv * head_dim &&
            rows_of(kV) == n_kv * head_dim && rows_of(kO) == d &&
            rows_of(kGate) == rows_of(kUp) && rows_of(kDown) == d,
        "the projections' shapes do not fit the heads");
  auto stream = mx::to_stream(s);
  DecodeBlock::Config config{
      offset, n_heads, norm_eps, attention_scale, rope_base, rope_scale, rope_traditional,
      lora_scale, threads, bits, {}};
  std::vector<mx::array> inputs = {h, keys, values, input_norm, post_norm};
  for (int p = 0; p < kProjections; ++p) {
    check(bits[p] == 4 || bits[p] == 8, "bits must be 4 or 8");
    for (int i = 0; i < 3; ++i) {
      inputs.push_back(weights[3 * p + i]);
    }
    const bool has = lora[2 * p].has_value();
    check(has == lora[2 * p + 1].has_value(), "give both LoRA matrices or none");
    config.has_lora.push_back(has);
    if (has) {
      inputs.push_back(mx::astype(*lora[2 * p], mx::float32, stream));
      inputs.push_back(mx::astype(*lora[2 * p + 1], mx::float32, stream));
    }
  }
  const int rows = h.shape(1);
  return mx::array::make_arrays(
      {h.shape(), {1, n_kv, rows, head_dim}, {1, n_kv, rows, head_dim}},
      {mx::float32, mx::float32, mx::float32},
      std::make_shared<DecodeBlock>(stream, std::move(config)),
      inputs);
}

void DecodeBlock::eval_cpu(
    const std::vector<mx::array>& inputs,
    std::vector<mx::array>& outputs) {
  for (size_t i = 3; i < inputs.size(); ++i) {
    if (!inputs[i].flags().row_contiguous) {
      throw std::invalid_argument("decode_block: the weights must be row-contiguous");
    }
  }
  auto keep = task_buffers(stream(), inputs, outputs);
  auto& encoder = mx::cpu::get_command_encoder(stream());
  encoder.dispatch([config = config_, keep = std::move(keep)]() mutable {
    const mx::array& h = keep[0];
    const mx::array& keys = keep[1];
    const mx::array& values = keep[2];
    const size_t n_inputs = keep.size() - 3;
    float* out = keep[n_inputs].data<float>();
    float* k_out = keep[n_inputs + 1].data<float>();
    float* v_out = keep[n_inputs + 2].data<float>();

    std::vector<PackedMatrix> m;
    size_t next = 5;
    for (int p = 0; p < kProjections; ++p) {
      const bool has = config.has_lora[p];
      m.push_back(packed_matrix(
          keep[next], keep[next + 1], keep[next + 2], config.bits[p],
          has ? &keep[next + 3] : nullptr, has ? &keep[next + 4] : nullptr,
          config.lora_scale));
      next += has ? 5 : 3;
    }
    const int64_t rows = h.shape(1);
    const int64_t d = h.shape(2);
    const int64_t n_kv = keys.shape(1);
    const int64_t head_dim = keys.shape(3);
    const int64_t n_heads = config.n_heads;
    const int64_t hidden = m[kGate].n;
    const int threads = config.threads;

    std::vector<float> gathered;
    const float* x = dense_rows(h, gathered);
    std::vector<float> normed(rows * d), q(rows * n_heads * head_dim),
        k(rows * n_kv * head_dim), v(rows * n_kv * head_dim),
        attended(rows * n_heads * head_dim), mid(rows * d), gate(rows * hidden),
        up(rows * hidden);

    rms_norm(x, keep[3].data<float>(), config.norm_eps, rows, d, normed.data());
    packed_product(m[kQ], normed.data(), rows, q.data(), threads);
    packed_product(m[kK], normed.data(), rows, k.data(), threads);
    packed_product(m[kV], normed.data(), rows, v.data(), threads);
    rope(q.data(), rows, n_heads, head_dim, config.offset, config.rope_base,
         config.rope_scale, config.rope_traditional);
    rope(k.data(), rows, n_kv, head_dim, config.offset, config.rope_base,
         config.rope_scale, config.rope_traditional);
    to_heads_first(k.data(), rows, n_kv, head_dim, k_out);
    to_heads_first(v.data(), rows, n_kv, head_dim, v_out);

    const auto& ks = keys.strides();
    const auto& vs = values.strides();
    const int64_t recent = n_kv * head_dim;
    const KeyValues kv{
        {keys.data<float>(), ks[1], ks[2]}, {values.data<float>(), vs[1], vs[2]}, config.offset,
        {k.data(), head_dim, recent}, {v.data(), head_dim, recent}};
    attention(
        q.data(), kv, config.offset, rows, n_heads, n_kv, head_dim, config.attention_scale,
        attended.data(), threads);

    packed_product(m[kO], attended.data(), rows, mid.data(), threads);
    for (int64_t i = 0; i < rows * d; ++i) {
      mid[i] += x[i];
    }
    rms_norm(mid.data(), keep[4].data<float>(), config.norm_eps, rows, d, normed.data());
    packed_product(m[kGate], normed.data(), rows, gate.data(), threads);
    packed_product(m[kUp], normed.data(), rows, up.data(), threads);
    swiglu(gate.data(), up.data(), gate.data(), rows * hidden);
    packed_product(m[kDown], gate.data(), rows, out, threads);
    for (int64_t i = 0; i < rows * d; ++i) {
      out[i] += mid[i];
    }
  });
}

void DecodeBlock::eval_gpu(
    const std::vector<mx::array>& inputs,
    std::vector<mx::array>& outputs) {
  throw std::runtime_error("DecodeBlock runs on the CPU only");
}

} // namespace punie
