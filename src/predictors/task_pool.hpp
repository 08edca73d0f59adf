#pragma once
// A fixed set of worker threads that run "task i for i in [0, n)" and return when all are done.
// Training dispatches thousands of small parallel steps (one per tree level), so threads are
// started once per fit instead of once per step. Which thread runs a task never changes a result:
// every task writes only its own outputs.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace simtune::detail {

class TaskPool {
public:
    /// `threads` counts the calling thread: 1 runs everything inline.
    explicit TaskPool(unsigned threads) {
        for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    }
    TaskPool(const TaskPool&) = delete;
    TaskPool& operator=(const TaskPool&) = delete;
    ~TaskPool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        start_.notify_all();
        for (auto& w : workers_) w.join();
    }

    [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()) + 1; }

    /// Runs task(i) for every i in [0, tasks); rethrows the first exception a task threw.
    void run(std::size_t tasks, const std::function<void(std::size_t)>& task) {
        if (workers_.empty() || tasks <= 1) {
            for (std::size_t i = 0; i < tasks; ++i) task(i);
            return;
        }
        {
            std::lock_guard lock(mutex_);
            task_ = &task;
            tasks_ = tasks;
            next_.store(0, std::memory_order_relaxed);
            busy_ = static_cast<unsigned>(workers_.size());
            error_ = nullptr;
            ++generation_;
        }
        start_.notify_all();
        work();
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return busy_ == 0; });
        task_ = nullptr;
        if (error_) std::rethrow_exception(error_);
    }

private:
    void work() {
        for (std::size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) {
            try {
                (*task_)(i);
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
                next_.store(tasks_, std::memory_order_relaxed);
            }
        }
    }

    void worker_loop() {
        std::size_t seen = 0;
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                start_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
            }
            work();
            std::lock_guard lock(mutex_);
            if (--busy_ == 0) done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable start_, done_;
    const std::function<void(std::size_t)>* task_ = nullptr;
    std::size_t tasks_ = 0;
    std::atomic<std::size_t> next_{0};
    std::size_t generation_ = 0;
    unsigned busy_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

} // namespace simtune::detail
