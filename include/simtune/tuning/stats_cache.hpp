#pragma once
// StatsCache: simulation results keyed by what determines them — the binary's content hash, the
// target, the simulator and the collectors — so a candidate seen before costs a lookup. Thread-safe.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "simtune/stats.hpp"

namespace simtune {

class StatsCache {
public:
    static std::string key(const std::string& content_hash, const std::string& target, std::string_view simulator,
                           const std::string& collectors) {
        return content_hash + '|' + target + '|' + std::string(simulator) + '|' + collectors;
    }

    [[nodiscard]] std::optional<Stats> find(const std::string& key) const {
        std::scoped_lock lock(mutex_);
        const auto it = entries_.find(key);
        if (it == entries_.end()) return std::nullopt;
        ++hits_;
        return it->second;
    }
    void insert(const std::string& key, const Stats& stats) {
        std::scoped_lock lock(mutex_);
        entries_.insert_or_assign(key, stats);
    }
    [[nodiscard]] std::size_t size() const {
        std::scoped_lock lock(mutex_);
        return entries_.size();
    }
    [[nodiscard]] std::size_t hits() const {
        std::scoped_lock lock(mutex_);
        return hits_;
    }
    void clear() {
        std::scoped_lock lock(mutex_);
        entries_.clear();
        hits_ = 0;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Stats> entries_;
    mutable std::size_t hits_ = 0;
};

} // namespace simtune
