// The threads the kernels split their work over.
//
// Why not OpenMP: a decoding step runs some 240 parallel loops a few microseconds
// apart, so the threads must spin between them, not sleep. libgomp spins only while it
// manages no more threads than there are cores, and it keeps a team per calling thread:
// once a second MLX stream (mlx-lm's generation stream beside the default one) had run
// a kernel, its workers slept between loops and a step took 35 instead of 21 ms. One
// pool for the whole process, spinning for a while after each job, does not depend on
// which thread calls.

#pragma once

#include <cstdint>
#include <functional>

namespace punie {

// Runs body(begin, end) over [0, n) split into at most `threads` contiguous parts, one
// on the calling thread, and returns when all are done. Jobs from several threads run
// one after another. `body` must not throw or call parallel_for itself.
void parallel_for(int64_t n, int threads, const std::function<void(int64_t, int64_t)>& body);

} // namespace punie
