// The quantized decode product (see qmatmul.h).
//
// On a CPU a decoding step is bound by reading the weights: float32 weights cost 540 MB
// per token for SmolLM2-135M, their 4-bit form 67 MB. This kernel reads the packed
// weights once for all rows of the step (the last token plus its draft tokens),
// dequantizes a group of 32 in registers (w = q * scale + bias, as llama.cpp defines
// Q4_1 / Q8_0) and multiplies it into every row, on `threads` threads split by output
// rows. The optional low-rank term keeps a LoRA adapter unfused, so the packed base
// weights stay exactly the ones in the GGUF file.

#include "qmatmul.h"
#include "products.h"
#include "workers.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mlx/backend/common/utils.h"
#include "mlx/backend/cpu/encoder.h"

namespace punie {

namespace {

constexpr int kGroup = 32;

// 4-bit groups are read in MLX's packing, where byte b of a group holds value 2b in its
// low nibble and value 2b + 1 in its high one; the kernels take the low nibbles of 16
// bytes as one vector and the high ones as another, so each row of x is first reordered
// to match (per group: the 16 even positions, then the 16 odd ones).
void deinterleave_groups(const float* x, int64_t rows, int64_t k, float* out) {
  for (int64_t i = 0; i < rows * k; i += kGroup) {
    for (int j = 0; j < kGroup / 2; ++j) {
      out[i + j] = x[i + 2 * j];
      out[i + kGroup / 2 + j] = x[i + 2 * j + 1];
    }
  }
}

inline float half_to_float(uint16_t v) {
  return _cvtsh_ss(v);
}
inline float half_to_float(float v) {
  return v;
}

// A step reads the weights from beyond the L2 cache, neuron after neuron: the tiles ask
// for the row eight neurons ahead while they work on this one.
constexpr int kPrefetchRows = 8;

// Up to 16 consecutive scales (or biases) as float32, converted 8 at a time: a tile
// then broadcasts each group's value from memory, which costs a load, not a shuffle.
constexpr int kChunk = 16;

inline void to_floats(const uint16_t* src, int count, float* dst) {
  int i = 0;
  for (; i + 8 <= count; i += 8) {
    _mm256_storeu_ps(
        dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  }
  for (; i < count; ++i) {
    dst[i] = _cvtsh_ss(src[i]);
  }
}
inline void to_floats(const float* src, int count, float* dst) {
  std::memcpy(dst, src, sizeof(float) * count);
}

// The scales and biases of groups g0 .. g0 + count of neurons n .. n + Cols.
template <int Cols, typename S>
inline void load_chunk(
    const S* scales, const S* biases, int64_t groups, int64_t n, int64_t g0, int count,
    float (&chunk_scales)[Cols][kChunk], float (&chunk_biases)[Cols][kChunk]) {
  for (int c = 0; c < Cols; ++c) {
    to_floats(scales + (n + c) * groups + g0, count, chunk_scales[c]);
    to_floats(biases + (n + c) * groups + g0, count, chunk_biases[c]);
  }
}

// ---- AVX2 + FMA ---------------------------------------------------------------

inline float sum8(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_hadd_ps(lo, lo);
  lo = _mm_hadd_ps(lo, lo);
  return _mm_cvtss_f32(lo);
}

// One group's 32 weights (q * scale + bias) as four vectors, in the order the rows of x
// were arranged in (deinterleaved for 4 bits, as stored for 8).
template <int Bits>
inline void avx2_group(const uint8_t* q, __m256 scale, __m256 bias, __m256 w[4]) {
  if constexpr (Bits == 4) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i even = _mm_and_si128(bytes, mask);
    const __m128i odd = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
    const __m128i parts[4] = {
        even, _mm_srli_si128(even, 8), odd, _mm_srli_si128(odd, 8)};
    for (int i = 0; i < 4; ++i) {
      const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(parts[i]));
      w[i] = _mm256_fmadd_ps(v, scale, bias);
    }
  } else {
    for (int i = 0; i < 4; ++i) {
      const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + 8 * i));
      const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
      w[i] = _mm256_fmadd_ps(v, scale, bias);
    }
  }
}

template <int Bits, int Rows, typename S>
void avx2_rows(
    const float* x, int64_t k, const uint8_t* w, const S* scales, const S* biases,
    float* y, int64_t n_total, int64_t n0, int64_t n1) {
  const int64_t groups = k / kGroup;
  const int64_t row_bytes = k * Bits / 8;
  for (int64_t n = n0; n < n1; ++n) {
    __m256 acc[Rows];
    for (int m = 0; m < Rows; ++m) {
      acc[m] = _mm256_setzero_ps();
    }
    for (int64_t g = 0; g < groups; ++g) {
      __m256 weights[4];
      avx2_group<Bits>(
          w + n * row_bytes + g * kGroup * Bits / 8,
          _mm256_set1_ps(half_to_float(scales[n * groups + g])),
          _mm256_set1_ps(half_to_float(biases[n * groups + g])),
          weights);
      for (int m = 0; m < Rows; ++m) {
        const float* xg = x + m * k + g * kGroup;
        for (int i = 0; i < 4; ++i) {
          acc[m] = _mm256_fmadd_ps(weights[i], _mm256_loadu_ps(xg + 8 * i), acc[m]);
        }
      }
    }
    for (int m = 0; m < Rows; ++m) {
      y[m * n_total + n] = sum8(acc[m]);
    }
  }
}

// ---- AVX-512 ------------------------------------------------------------------
// A 4-bit group's 16 possible weights fit one register: they are computed once per
// group (q * scale + bias for q = 0..15, the same products as above) and looked up.
//
// A tile computes Cols output neurons for all Rows rows of x. With a single
// accumulator per row and neuron every group would wait for the previous group's
// multiply-adds (their latency, not the loads, set the pace with one to four rows), so
// each sum is split over two accumulators (up to nine rows), several neurons run side by
// side when there are few rows, and with four rows or fewer the group of x is loaded
// once for all of them. A group's scale and bias are broadcast from a small float32
// copy (converted 16 groups at a time), which costs a load instead of a shuffle.

template <int Bits, int Rows, int Cols, typename S>
__attribute__((target("avx512f"))) void avx512_tile(
    const float* x, int64_t k, const uint8_t* w, const S* scales, const S* biases,
    float* y, int64_t n_total, int64_t n) {
  constexpr bool kSplit = Rows <= 9;
  constexpr bool kPreload = Rows <= 4;
  const int64_t groups = k / kGroup;
  const int64_t row_bytes = k * Bits / 8;
  const __m512 iota = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512 lo[Rows][Cols];
  __m512 hi[Rows][Cols];
  for (int m = 0; m < Rows; ++m) {
    for (int c = 0; c < Cols; ++c) {
      lo[m][c] = _mm512_setzero_ps();
      hi[m][c] = _mm512_setzero_ps();
    }
  }
  float chunk_scales[Cols][kChunk];
  float chunk_biases[Cols][kChunk];
  for (int64_t g0 = 0; g0 < groups; g0 += kChunk) {
    const int count = static_cast<int>(std::min<int64_t>(kChunk, groups - g0));
    load_chunk<Cols>(scales, biases, groups, n, g0, count, chunk_scales, chunk_biases);
    for (int gi = 0; gi < count; ++gi) {
      const int64_t g = g0 + gi;
      __m512 xa[kPreload ? Rows : 1];
      __m512 xb[kPreload ? Rows : 1];
      if constexpr (kPreload) {
        for (int m = 0; m < Rows; ++m) {
          xa[m] = _mm512_loadu_ps(x + m * k + g * kGroup);
          xb[m] = _mm512_loadu_ps(x + m * k + g * kGroup + 16);
        }
      }
      for (int c = 0; c < Cols; ++c) {
        const uint8_t* q = w + (n + c) * row_bytes + g * kGroup * Bits / 8;
        _mm_prefetch(reinterpret_cast<const char*>(q + kPrefetchRows * row_bytes), _MM_HINT_T0);
        const __m512 scale = _mm512_set1_ps(chunk_scales[c][gi]);
        const __m512 bias = _mm512_set1_ps(chunk_biases[c][gi]);
        __m512 first, second;
        if constexpr (Bits == 4) {
          // A lookup reads only the low 4 bits of each index: the byte itself gives
          // the low nibble's weight, the byte shifted right by 4 the high one's.
          const __m512 table = _mm512_fmadd_ps(iota, scale, bias);
          const __m512i bytes =
              _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
          first = _mm512_permutexvar_ps(bytes, table);
          second = _mm512_permutexvar_ps(_mm512_srli_epi32(bytes, 4), table);
        } else {
          first = _mm512_fmadd_ps(
              _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(
                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(q)))),
              scale, bias);
          second = _mm512_fmadd_ps(
              _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(
                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16)))),
              scale, bias);
        }
        for (int m = 0; m < Rows; ++m) {
          const __m512 a = kPreload ? xa[m] : _mm512_loadu_ps(x + m * k + g * kGroup);
          const __m512 b = kPreload ? xb[m] : _mm512_loadu_ps(x + m * k + g * kGroup + 16);
          lo[m][c] = _mm512_fmadd_ps(first, a, lo[m][c]);
          if constexpr (kSplit) {
            hi[m][c] = _mm512_fmadd_ps(second, b, hi[m][c]);
          } else {
            lo[m][c] = _mm512_fmadd_ps(second, b, lo[m][c]);
          }
        }
      }
    }
  }
  for (int m = 0; m < Rows; ++m) {
    for (int c = 0; c < Cols; ++c) {
      y[m * n_total + n + c] = _mm512_reduce_add_ps(_mm512_add_ps(lo[m][c], hi[m][c]));
    }
  }
}

// ---- AVX2 tiles ---------------------------------------------------------------
// The same idea for one to four rows on AVX2 (16 registers): two accumulators per row
// and neuron, two neurons side by side for one or two rows.

template <int Bits, int Rows, int Cols, typename S>
void avx2_tile(
    const float* x, int64_t k, const uint8_t* w, const S* scales, const S* biases,
    float* y, int64_t n_total, int64_t n) {
  const int64_t groups = k / kGroup;
  const int64_t row_bytes = k * Bits / 8;
  __m256 a[Rows][Cols];
  __m256 b[Rows][Cols];
  for (int m = 0; m < Rows; ++m) {
    for (int c = 0; c < Cols; ++c) {
      a[m][c] = _mm256_setzero_ps();
      b[m][c] = _mm256_setzero_ps();
    }
  }
  float chunk_scales[Cols][kChunk];
  float chunk_biases[Cols][kChunk];
  for (int64_t g0 = 0; g0 < groups; g0 += kChunk) {
    const int count = static_cast<int>(std::min<int64_t>(kChunk, groups - g0));
    load_chunk<Cols>(scales, biases, groups, n, g0, count, chunk_scales, chunk_biases);
    for (int gi = 0; gi < count; ++gi) {
      const int64_t g = g0 + gi;
      for (int c = 0; c < Cols; ++c) {
        __m256 weights[4];
        avx2_group<Bits>(
            w + (n + c) * row_bytes + g * kGroup * Bits / 8,
            _mm256_set1_ps(chunk_scales[c][gi]), _mm256_set1_ps(chunk_biases[c][gi]),
            weights);
        for (int m = 0; m < Rows; ++m) {
          const float* xg = x + m * k + g * kGroup;
          a[m][c] = _mm256_fmadd_ps(weights[0], _mm256_loadu_ps(xg), a[m][c]);
          b[m][c] = _mm256_fmadd_ps(weights[1], _mm256_loadu_ps(xg + 8), b[m][c]);
          a[m][c] = _mm256_fmadd_ps(weights[2], _mm256_loadu_ps(xg + 16), a[m][c]);
          b[m][c] = _mm256_fmadd_ps(weights[3], _mm256_loadu_ps(xg + 24), b[m][c]);
        }
      }
    }
  }
  for (int m = 0; m < Rows; ++m) {
    for (int c = 0; c < Cols; ++c) {
      y[m * n_total + n + c] = sum8(_mm256_add_ps(a[m][c], b[m][c]));
    }
  }
}

std::atomic<bool> wide_enabled{true};

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes && wide_enabled.load(std::memory_order_relaxed);
}

// Rows of x kept in registers per pass over the weights: a decoding step (the last
// token and its drafts) takes one pass.
constexpr int kAvx2Rows = 9;
constexpr int kAvx2TileRows = 4;
constexpr int kAvx512Rows = 16;

// Output neurons n0 .. n1 in tiles of Cols, then one at a time for the rest.
template <int Bits, int Rows, int Cols, bool Wide, typename S>
void tiles(
    const float* x, int64_t k, const uint8_t* w, const S* scales, const S* biases,
    float* y, int64_t n_total, int64_t n0, int64_t n1) {
  int64_t n = n0;
  for (; n + Cols <= n1; n += Cols) {
    if constexpr (Wide) {
      avx512_tile<Bits, Rows, Cols, S>(x, k, w, scales, biases, y, n_total, n);
    } else {
      avx2_tile<Bits, Rows, Cols, S>(x, k, w, scales, biases, y, n_total, n);
    }
  }
  for (; n < n1; ++n) {
    if constexpr (Wide) {
      avx512_tile<Bits, Rows, 1, S>(x, k, w, scales, biases, y, n_total, n);
    } else {
      avx2_tile<Bits, Rows, 1, S>(x, k, w, scales, biases, y, n_total, n);
    }
  }
}

template <int Bits, typename S, int R = 1>
void rows_block(
    bool wide, int rows, const float* x, int64_t k, const uint8_t* w, const S* scales,
    const S* biases, float* y, int64_t n, int64_t n0, int64_t n1) {
  if constexpr (R <= kAvx512Rows) {
    if (rows == R) {
      if (wide) {
        constexpr int kCols = R <= 2 ? 4 : R <= 4 ? 2 : 1;
        tiles<Bits, R, kCols, true, S>(x, k, w, scales, biases, y, n, n0, n1);
      } else if constexpr (R <= kAvx2TileRows) {
        constexpr int kCols = R <= 2 ? 2 : 1;
        tiles<Bits, R, kCols, false, S>(x, k, w, scales, biases, y, n, n0, n1);
      } else if constexpr (R <= kAvx2Rows) {
        avx2_rows<Bits, R, S>(x, k, w, scales, biases, y, n, n0, n1);
      } else {
        throw std::logic_error("rows_block: too many rows for AVX2");
      }
      return;
    }
    rows_block<Bits, S, R + 1>(wide, rows, x, k, w, scales, biases, y, n, n0, n1);
  } else {
    throw std::logic_error("rows_block: bad row count");
  }
}

// The low-rank term's first product, t = lora_scale * x @ a: [m, r] (small: the
// second one, t @ b, is added block by block in product()).
std::vector<float> low_rank_inner(
    int64_t m, const float* x, int64_t k, const float* a, int64_t r, float lora_scale) {
  std::vector<float> t(static_cast<size_t>(m * r), 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      const float xv = x[i * k + j];
      const float* aj = a + j * r;
      for (int64_t c = 0; c < r; ++c) {
        t[i * r + c] += xv * aj[c];
      }
    }
  }
  for (float& v : t) {
    v *= lora_scale;
  }
  return t;
}

// y[:, n0:n1] += t @ b[:, n0:n1], with t: [m, r] and b: [r, n].
void add_low_rank(
    int64_t m, const float* t, const float* b, int64_t r, float* y, int64_t n, int64_t n0,
    int64_t n1) {
  for (int64_t i = 0; i < m; ++i) {
    float* yi = y + i * n;
    for (int64_t c = 0; c < r; ++c) {
      const float tv = t[i * r + c];
      const float* bc = b + c * n;
      for (int64_t j = n0; j < n1; ++j) {
        yi[j] += tv * bc[j];
      }
    }
  }
}

// y = x @ dequantize(w).T [+ t @ b], split over `threads` by blocks of output rows.
template <typename S>
void product(
    int bits, int64_t m, const float* x, int64_t k, const uint8_t* w, const S* scales,
    const S* biases, float* y, int64_t n, int threads, const float* t, const float* lora_b,
    int64_t rank) {
  const bool wide = has_avx512();
  const int64_t max_rows = wide ? kAvx512Rows : kAvx2Rows;
  // Blocks of output rows, so that a thread's weights are contiguous.
  constexpr int64_t kBlock = 16;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, threads, [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      const int64_t n0 = b * kBlock;
      const int64_t n1 = std::min(n, n0 + kBlock);
      for (int64_t r = 0; r < m; r += max_rows) {
        const int rows = static_cast<int>(std::min(max_rows, m - r));
        if (bits == 4) {
          rows_block<4, S>(wide, rows, x + r * k, k, w, scales, biases, y + r * n, n, n0, n1);
        } else {
          rows_block<8, S>(wide, rows, x + r * k, k, w, scales, biases, y + r * n, n, n0, n1);
        }
      }
      if (t != nullptr) {
        add_low_rank(m, t, lora_b, rank, y, n, n0, n1);
      }
    }
  });
}

} // namespace

// The rows of x as one dense block: its own buffer, or a gathered copy when x is a
// strided view.
const float* dense_rows(const mx::array& x, std::vector<float>& storage) {
  if (x.flags().row_contiguous) {
    return x.data<float>();
  }
  storage.resize(x.size());
  const float* base = x.data<float>();
  for (size_t i = 0; i < x.size(); ++i) {
    storage[i] = base[mx::elem_to_loc(static_cast<int>(i), x.shape(), x.strides())];
  }
  return storage.data();
}

void packed_product(
    const PackedMatrix& matrix, const float* x, int64_t m, float* y, int threads) {
  const int64_t k = matrix.k;
  thread_local std::vector<float> reordered;
  const float* xq = x;
  if (matrix.bits == 4) {
    reordered.resize(static_cast<size_t>(m * k));
    deinterleave_groups(x, m, k, reordered.data());
    xq = reordered.data();
  }
  std::vector<float> t;
  if (matrix.lora_a != nullptr) {
    t = low_rank_inner(m, x, k, matrix.lora_a, matrix.rank, matrix.lora_scale);
  }
  const float* tp = t.empty() ? nullptr : t.data();
  if (matrix.half_scales) {
    product(
        matrix.bits, m, xq, k, matrix.w, static_cast<const uint16_t*>(matrix.scales),
        static_cast<const uint16_t*>(matrix.biases), y, matrix.n, threads, tp, matrix.lora_b,
        matrix.rank);
  } else {
    product(
        matrix.bits, m, xq, k, matrix.w, static_cast<const float*>(matrix.scales),
        static_cast<const float*>(matrix.biases), y, matrix.n, threads, tp, matrix.lora_b,
        matrix.rank);
  }
}

std::vector<mx::array> task_buffers(
    mx::Stream stream, const std::vector<mx::array>& inputs, std::vector<mx::array> outputs) {
  auto& encoder = mx::cpu::get_command_encoder(stream);
  std::vector<mx::array> buffers;
  for (const auto& input : inputs) {
    encoder.set_input_array(input);
    buffers.push_back(mx::array::unsafe_weak_copy(input));
  }
  for (auto& output : outputs) {
    output.set_data(mx::allocator::malloc(output.nbytes()));
    encoder.set_output_array(output);
    buffers.push_back(mx::array::unsafe_weak_copy(output));
  }
  return buffers;
}

PackedMatrix packed_matrix(
    const mx::array& w, const mx::array& scales, const mx::array& biases, int bits,
    const mx::array* lora_a, const mx::array* lora_b, float lora_scale) {
  PackedMatrix matrix;
  matrix.w = reinterpret_cast<const uint8_t*>(w.data<uint32_t>());
  matrix.half_scales = scales.dtype() == mx::float16;
  matrix.scales = matrix.half_scales
      ? static_cast<const void*>(scales.data<mx::float16_t>())
      : static_cast<const void*>(scales.data<float>());
  matrix.biases = matrix.half_scales
      ? static_cast<const void*>(biases.data<mx::float16_t>())
      : static_cast<const void*>(biases.data<float>());
  matrix.bits = bits;
  matrix.n = w.shape(0);
  matrix.k = scales.shape(1) * kGroup;
  if (lora_a != nullptr) {
    matrix.lora_a = lora_a->data<float>();
    matrix.lora_b = lora_b->data<float>();
    matrix.rank = lora_a->shape(1);
    matrix.lora_scale = lora_scale;
  }
  return matrix;
}

void allow_avx512(bool allowed) {
  wide_enabled.store(allowed, std::memory_order_relaxed);
}

bool cpu_supported() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("f16c");
}

mx::array quantized_decode_matmul(
    const mx::array& x,
    const mx::array& w,
    const mx::array& scales,
    const mx::array& biases,
    int bits,
    const std::optional<mx::array>& lora_a,
    const std::optional<mx::array>& lora_b,
    float lora_scale,
    int threads,
    mx::StreamOrDevice s) {
  if (bits != 4 && bits != 8) {
    throw std::invalid_argument("quantized_decode_matmul: bits must be 4 or 8");
  }
  if (w.dtype() != mx::uint32 || w.ndim() != 2 || scales.ndim() != 2) {
    throw std::invalid_argument("quantized_decode_matmul: w must be 2-D uint32");
  }
  const int64_t k = x.shape(-1);
  const int64_t n = w.shape(0);
  if (k % kGroup != 0 || w.shape(1) * 32 / bits != k ||
      scales.shape(1) * kGroup != k || scales.shape(0) != n ||
      scales.shape() != biases.shape() || scales.dtype() != biases.dtype()) {
    throw std::invalid_argument(
        "quantized_decode_matmul: shapes of x, w, scales and biases disagree");
  }
  if (scales.dtype() != mx::float16 && scales.dtype() != mx::float32) {
    throw std::invalid_argument(
        "quantized_decode_matmul: scales must be float16 or float32");
  }
  const bool lora = lora_a.has_value();
  if (lora != lora_b.has_value()) {
    throw std::invalid_argument("quantized_decode_matmul: give both LoRA matrices or none");
  }
  auto stream = mx::to_stream(s);
  // No extra graph nodes unless needed: a decoding step makes hundreds of these calls,
  // and a strided input is gathered when the product runs (dense_rows).
  auto as_float = [&](const mx::array& a) {
    return a.dtype() == mx::float32 ? a : mx::astype(a, mx::float32, stream);
  };
  std::vector<mx::array> inputs = {as_float(x), w, scales, biases};
  if (lora) {
    if (lora_a->ndim() != 2 || lora_a->shape(0) != k || lora_b->ndim() != 2 ||
        lora_b->shape(0) != lora_a->shape(1) || lora_b->shape(1) != n) {
      throw std::invalid_argument(
          "quantized_decode_matmul: LoRA matrices must be [K, r] and [r, N]");
    }
    inputs.push_back(as_float(*lora_a));
    inputs.push_back(as_float(*lora_b));
  }
  auto shape = x.shape();
  shape.back() = static_cast<int>(n);
  return mx::array(
      shape,
      mx::float32,
      std::make_shared<QuantizedDecodeMatmul>(stream, bits, lora, lora_scale, threads),
      inputs);
}

void QuantizedDecodeMatmul::eval_cpu(
    const std::vector<mx::array>& inputs,
    mx::array& out) {
  for (size_t i = 1; i < inputs.size(); ++i) {
    if (!inputs[i].flags().row_contiguous) {
      throw std::invalid_argument(
          "quantized_decode_matmul: the weights must be row-contiguous");
    }
  }
  const int64_t k = inputs[0].shape(-1);
  const int64_t m = inputs[0].size() / k;
  const bool lora = lora_;
  const float lora_scale = lora_scale_;
  const int threads = threads_;
  auto keep = task_buffers(stream(), inputs, {out});
  auto& encoder = mx::cpu::get_command_encoder(stream());
  encoder.dispatch([=, keep = std::move(keep), bits = bits_]() mutable {
    const PackedMatrix matrix = packed_matrix(
        keep[1], keep[2], keep[3], bits, lora ? &keep[4] : nullptr,
        lora ? &keep[5] : nullptr, lora_scale);
    std::vector<float> gathered;
    packed_product(matrix, dense_rows(keep[0], gathered), m, keep.back().data<float>(), threads);
  });
}

void QuantizedDecodeMatmul::eval_gpu(
    const std::vector<mx::array>& inputs,
    mx::array& out) {
  throw std::runtime_error(
      "QuantizedDecodeMatmul runs on the CPU only (on a GPU, MLX's own quantized "
      "kernels are the fast ones)");
}

bool QuantizedDecodeMatmul::is_equivalent(const mx::Primitive& other) const {
  const auto& o = static_cast<const QuantizedDecodeMatmul&>(other);
  return bits_ == o.bits_ && lora_ == o.lora_ && lora_scale_ == o.lora_scale_ &&
      threads_ == o.threads_;
}

} // namespace punie
