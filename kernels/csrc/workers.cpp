// The kernels' worker pool (see workers.h).

#include "workers.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace punie {

namespace {

// How long an idle worker spins before it sleeps: longer than the gap between two
// loops of a step (MLX scheduling a few small nodes), shorter than the time between
// steps, so a worker sleeps while Python and the sandbox have the cores.
constexpr auto kSpin = std::chrono::microseconds(300);

class Pool {
 public:
  void run(int64_t n, int threads, const std::function<void(int64_t, int64_t)>& body) {
    const int parts = static_cast<int>(std::clamp<int64_t>(threads, 1, std::max<int64_t>(n, 1)));
    if (parts == 1) {
      body(0, n);
      return;
    }
    std::lock_guard<std::mutex> one_job(job_mutex_);
    grow(parts - 1);
    body_ = &body;
    n_ = n;
    parts_ = parts;
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    body(0, part_end(0));
    while (pending_.load(std::memory_order_acquire) != 0) {
      _mm_pause();
    }
  }

 private:
  int64_t part_end(int part) const {
    return n_ * (part + 1) / parts_;
  }

  void grow(size_t wanted) {
    while (workers_.size() < wanted) {
      const int index = static_cast<int>(workers_.size()) + 1;
      // The worker waits for the job after the current one: the next one to come.
      const uint64_t seen = generation_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, seen] { work(index, seen); });
      workers_.back().detach();  // lives as long as the process
    }
  }

  void work(int index, uint64_t seen) {
    while (true) {
      uint64_t now = wait_for_job(seen);
      seen = now;
      if (index < parts_) {
        (*body_)(n_ * index / parts_, part_end(index));
      }
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  uint64_t wait_for_job(uint64_t seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0;; ++i) {
      const uint64_t now = generation_.load(std::memory_order_acquire);
      if (now != seen) {
        return now;
      }
      _mm_pause();
      if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) {
        break;
      }
    }
    std::unique_lock<std::mutex> lock(sleep_mutex_);
    wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    return generation_.load(std::memory_order_acquire);
  }

  std::mutex job_mutex_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int64_t, int64_t)>* body_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1;
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

} // namespace

void parallel_for(int64_t n, int threads, const std::function<void(int64_t, int64_t)>& body) {
  // Never destroyed: its threads outlive every caller.
  static Pool* pool = new Pool();
  pool->run(n, threads, body);
}

} // namespace punie
