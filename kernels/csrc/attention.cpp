// Causal attention and SwiGLU (see attention.h).

#include "attention.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "mlx/backend/cpu/encoder.h"
#include "products.h"
#include "workers.h"

namespace punie {

namespace {

float dot(const float* a, const float* b, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  }
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  lo = _mm_hadd_ps(lo, lo);
  lo = _mm_hadd_ps(lo, lo);
  float sum = _mm_cvtss_f32(lo);
  for (; i < n; ++i) {
    sum += a[i] * b[i];
  }
  return sum;
}

// e^x for 8 floats at once (Cephes' single-precision polynomial, within 2 ulp): a step
// takes some 130 000 of them, and one at a time they were a fifth of a decoding step.
inline __m256 exp8(__m256 x) {
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)),
                    _mm256_set1_ps(-87.3365447504019f));
  const __m256 n = _mm256_round_ps(
      _mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500E-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
  p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i exponent = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

// scores[0 .. n) = e^(scores - top), returning their sum.
float exp_and_sum(float* scores, int64_t n, float top) {
  const __m256 shift = _mm256_set1_ps(top);
  __m256 total = _mm256_setzero_ps();
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(scores + t), shift));
    _mm256_storeu_ps(scores + t, e);
    total = _mm256_add_ps(total, e);
  }
  float rest[8] = {0};
  std::copy(scores + t, scores + n, rest);
  const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(rest), shift));
  _mm256_storeu_ps(rest, e);
  std::copy(rest, rest + (n - t), scores + t);
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(total), _mm256_extractf128_ps(total, 1));
  lo = _mm_hadd_ps(lo, lo);
  lo = _mm_hadd_ps(lo, lo);
  float sum = _mm_cvtss_f32(lo);
  for (int64_t i = 0; i < n - t; ++i) {
    sum += rest[i];
  }
  return sum;
}

} // namespace

void swiglu(const float* gate, const float* up, float* out, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 sigmoid =
        _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid), _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) {
    out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
  }
}

void attention(
    const float* q, const KeyValues& kv, int64_t base, int64_t rows, int64_t n_heads,
    int64_t n_kv, int64_t head_dim, float scale, float* out, int threads) {
  const int64_t group = n_heads / n_kv;
  parallel_for(n_heads * rows, threads, [&](int64_t first, int64_t last) {
    std::vector<float> scores(static_cast<size_t>(base + rows));
    for (int64_t task = first; task < last; ++task) {
      const int64_t h = task / rows;
      const int64_t i = task % rows;
      const int64_t j = h / group;
      const float* qi = q + (i * n_heads + h) * head_dim;
      const int64_t length = base + i + 1;
      float top = -INFINITY;
      for (int64_t t = 0; t < length; ++t) {
        const float* kt =
            t < kv.split ? kv.past_keys.at(j, t) : kv.recent_keys.at(j, t - kv.split);
        scores[t] = scale * dot(qi, kt, head_dim);
        top = std::max(top, scores[t]);
      }
      const float total = exp_and_sum(scores.data(), length, top);
      float* oi = out + (i * n_heads + h) * head_dim;
      std::fill(oi, oi + head_dim, 0.0f);
      for (int64_t t = 0; t < length; ++t) {
        const float* vt =
            t < kv.split ? kv.past_values.at(j, t) : kv.recent_values.at(j, t - kv.split);
        const float p = scores[t] / total;
        for (int64_t d = 0; d < head_dim; ++d) {
          oi[d] += p * vt[d];
        }
      }
    }
  });
}

mx::array causal_attention(
    const mx::array& queries, const mx::array& keys, const mx::array& values, float scale,
    int threads, mx::StreamOrDevice s) {
  if (queries.ndim() != 4 || keys.ndim() != 4 || keys.shape() != values.shape() ||
      queries.shape(0) != 1 || keys.shape(0) != 1 || queries.shape(3) != keys.shape(3) ||
      queries.shape(1) % keys.shape(1) != 0 || queries.shape(2) > keys.shape(2)) {
    throw std::invalid_argument(
        "causal_attention: queries [1, H, L, D] and keys, values [1, KV, T >= L, D] "
        "with H a multiple of KV");
  }
  if (queries.dtype() != mx::float32 || keys.dtype() != mx::float32 ||
      values.dtype() != mx::float32) {
    throw std::invalid_argument("causal_attention: queries, keys and values must be float32");
  }
  const int heads = queries.shape(1);
  const int rows = queries.shape(2);
  const int head_dim = queries.shape(3);
  // [1, L, H, D] in memory, so each row's heads are one block (dense_rows gathers it).
  auto stream = mx::to_stream(s);
  auto by_rows = mx::contiguous(mx::transpose(queries, {0, 2, 1, 3}, stream), false, stream);
  return mx::array(
      {1, rows, heads * head_dim}, mx::float32,
      std::make_shared<CausalAttention>(stream, scale, threads), {by_rows, keys, values});
}

void CausalAttention::eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) {
  auto keep = task_buffers(stream(), inputs, {out});
  auto& encoder = mx::cpu::get_command_encoder(stream());
  encoder.dispatch([keep = std::move(keep), scale = scale_, threads = threads_]() mutable {
    std::vector<float> gathered;
    const float* q = dense_rows(keep[0], gathered);
    const mx::array& keys = keep[1];
    const mx::array& values = keep[2];
    const int64_t rows = keep[0].shape(1);
    const int64_t heads = keep[0].shape(2);
    const int64_t head_dim = keep[0].shape(3);
    const int64_t total = keys.shape(2);
    const auto& ks = keys.strides();
    const auto& vs = values.strides();
    const CacheView key_view{keys.data<float>(), ks[1], ks[2]};
    const CacheView value_view{values.data<float>(), vs[1], vs[2]};
    const KeyValues kv{key_view, value_view, total, key_view, value_view};
    attention(
        q, kv, total - rows, rows, heads, keys.shape(1), head_dim, scale,
        keep[3].data<float>(), threads);
  });
}

void CausalAttention::eval_gpu(const std::vector<mx::array>&, mx::array&) {
  throw std::runtime_error("CausalAttention runs on the CPU only");
}

mx::array silu_mul(const mx::array& gate, const mx::array& up, int threads, mx::StreamOrDevice s) {
  if (gate.shape() != up.shape() || gate.dtype() != mx::float32 || up.dtype() != mx::float32) {
    throw std::invalid_argument("silu_mul: gate and up must be float32 of one shape");
  }
  return mx::array(
      gate.shape(), mx::float32, std::make_shared<SiluMul>(mx::to_stream(s), threads),
      {gate, up});
}

void SiluMul::eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) {
  auto keep = task_buffers(stream(), inputs, {out});
  auto& encoder = mx::cpu::get_command_encoder(stream());
  encoder.dispatch([keep = std::move(keep), threads = threads_]() mutable {
    std::vector<float> gate_rows, up_rows;
    const float* g = dense_rows(keep[0], gate_rows);
    const float* u = dense_rows(keep[1], up_rows);
    float* y = keep[2].data<float>();
    const int64_t n = static_cast<int64_t>(keep[2].size());
    constexpr int64_t kBlock = 4096;
    parallel_for((n + kBlock - 1) / kBlock, threads, [&](int64_t first, int64_t last) {
      const int64_t begin = first * kBlock;
      swiglu(g + begin, u + begin, y + begin, std::min(n, last * kBlock) - begin);
    });
  });
}

void SiluMul::eval_gpu(const std::vector<mx::array>&, mx::array&) {
  throw std::runtime_error("SiluMul runs on the CPU only");
}

} // namespace punie
