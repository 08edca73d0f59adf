// Sharded batches: the MPI-free half of distributed simulation (shard, serialise, merge). The
// messages are sequences of length-prefixed fields ("<bytes>:<field>"), so names, error messages
// and binary bytes travel unescaped; numbers are written in their shortest round-trip form.
#include "simtune/tuning/sharded_run.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/util.hpp"

namespace simtune {

namespace {

class Writer {
public:
    void field(std::string_view bytes) {
        out_ += fmt::format("{}:", bytes.size());
        out_.append(bytes);
    }
    template <class Number>
    void number(Number n) {
        field(fmt::format("{}", n));
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    [[nodiscard]] bool done() const noexcept { return pos_ == in_.size(); }

    std::string_view field() {
        const auto colon = in_.find(':', pos_);
        std::size_t length = 0;
        const auto [end, ec] =
            std::from_chars(in_.data() + pos_, in_.data() + (colon == std::string_view::npos ? pos_ : colon), length);
        if (colon == std::string_view::npos || ec != std::errc{} || end != in_.data() + colon ||
            length > in_.size() - colon - 1)
            fail(ErrorKind::invalid_data, "malformed result message at byte {} of {}", pos_, in_.size());
        pos_ = colon + 1 + length;
        return in_.substr(colon + 1, length);
    }
    template <class Number>
    Number number() {
        const auto text = field();
        Number n{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || end != text.data() + text.size())
            fail(ErrorKind::invalid_data, "malformed number '{}' in a result message", text);
        return n;
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
};

constexpr std::string_view format_tag = "simtune-results-2";

void write_stats(Writer& w, const Stats& s) {
    for (std::size_t i = 0; i < Stats::feature_count; ++i) w.number(s.counter(i));
}

Stats read_stats(Reader& r) {
    Stats s;
    for (std::size_t i = 0; i < Stats::feature_count; ++i) s.counter(i) = r.number<std::uint64_t>();
    return s;
}

bool same_bytes(const KernelBinary& a, const KernelBinary& b) { return std::ranges::equal(a.bytes(), b.bytes()); }

// A received binary, runnable here: the file at its original path if that holds the same bytes,
// else a copy named by content hash in `dir` (default: a private per-user directory in the temp
// directory). An existing copy is compared byte for byte on every use: a file damaged or planted
// there is replaced, never run.
KernelBinary place_binary(std::vector<std::byte> bytes, const std::string& path, const std::filesystem::path& dir) {
    auto binary = KernelBinary::from_bytes(std::move(bytes), path);
    std::error_code ec;
    if (!path.empty() && std::filesystem::is_regular_file(path, ec)) {
        try {
            auto local = KernelBinary::load(path, binary.isa());
            if (same_bytes(local, binary)) return local;
        } catch (const Error&) {
            // not the same binary (or unreadable): fall through to a private copy
        }
    }
    std::filesystem::path where = dir;
    if (where.empty()) {
        where = private_temp_directory("simtune-received");
    } else {
        std::filesystem::create_directories(where, ec);
        if (ec) fail(ErrorKind::io, "cannot create {} for received binaries: {}", where.string(), ec.message());
    }
    const auto file = where / (binary.content_hash() + ".elf");
    if (std::filesystem::exists(file, ec)) {
        try {
            auto local = KernelBinary::load(file, binary.isa());
            if (same_bytes(local, binary)) return local;
        } catch (const Error&) {
            // damaged or foreign: replaced below
        }
    }
    // Written under a name of its own, then renamed over the hash name: another simtune may place
    // the same binary at the same time.
    static std::atomic<unsigned> copies{0};
    const auto tmp = where / fmt::format("{}.{}.{}.tmp", binary.content_hash(), ::getpid(), copies++);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        const auto b = binary.bytes();
        out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
        if (!out) fail(ErrorKind::io, "cannot write the received binary {}", tmp.string());
    }
    std::filesystem::permissions(tmp, std::filesystem::perms::owner_all, ec);
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        fail(ErrorKind::io, "cannot place the received binary at {}", file.string());
    }
    auto placed = KernelBinary::load(file, binary.isa());
    if (!same_bytes(placed, binary))
        fail(ErrorKind::io, "{} changed while simtune placed a received binary there", file.string());
    return placed;
}

} // namespace

std::string encode_results(std::span<const CandidateResult> results, bool with_binaries) {
    Writer w;
    w.field(format_tag);
    w.number(results.size());
    for (const auto& r : results) {
        w.number(r.index);
        w.field(r.name);
        w.number(r.stats ? 1 : 0);
        if (r.stats) write_stats(w, *r.stats);
        w.number(r.predicted_seconds);
        w.number(r.estimate_cycles);
        w.number(r.measured_seconds ? 1 : 0);
        if (r.measured_seconds) w.number(*r.measured_seconds);
        w.number(r.cache_hit ? 1 : 0);
        w.number(r.simulation_seconds);
        w.number(r.error_kind ? static_cast<int>(*r.error_kind) : -1);
        w.field(r.error);
        const bool send = with_binaries && r.binary;
        w.number(send ? 1 : 0);
        if (send) {
            w.field(r.binary->path().string());
            const auto b = r.binary->bytes();
            w.field(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
        }
    }
    return w.take();
}

std::vector<CandidateResult> decode_results(std::string_view message, const std::filesystem::path& received_dir) {
    Reader r(message);
    if (r.field() != format_tag) fail(ErrorKind::invalid_data, "not a simtune result message (or another version's)");
    const auto n = r.number<std::size_t>();
    if (n > message.size()) fail(ErrorKind::invalid_data, "malformed result message: {} results announced", n);
    std::vector<CandidateResult> out(n);
    for (auto& c : out) {
        c.index = r.number<std::size_t>();
        c.name = r.field();
        if (r.number<int>()) c.stats = read_stats(r);
        c.predicted_seconds = r.number<double>();
        c.estimate_cycles = r.number<double>();
        if (r.number<int>()) c.measured_seconds = r.number<double>();
        c.cache_hit = r.number<int>() != 0;
        c.simulation_seconds = r.number<double>();
        const int kind = r.number<int>();
        if (kind < -1 || kind > static_cast<int>(ErrorKind::cancelled))
            fail(ErrorKind::invalid_data, "malformed result message: error kind {}", kind);
        if (kind >= 0) c.error_kind = static_cast<ErrorKind>(kind);
        c.error = r.field();
        if (r.number<int>()) {
            const std::string path(r.field());
            const auto bytes = r.field();
            std::vector<std::byte> copy(bytes.size());
            std::memcpy(copy.data(), bytes.data(), bytes.size());
            c.binary = place_binary(std::move(copy), path, received_dir);
        }
    }
    if (!r.done()) fail(ErrorKind::invalid_data, "malformed result message: trailing bytes after {} results", n);
    return out;
}

std::string batch_fingerprint(std::span<const Candidate> candidates) {
    Writer w;
    w.number(candidates.size());
    for (const auto& c : candidates) {
        w.field(c.name);
        w.field(c.source);
        for (const auto& f : c.flags) w.field(f);
        for (const auto& b : c.buffers)
            w.field(fmt::format("{}:{}:{}:{}", b.name, static_cast<int>(b.type), b.count, static_cast<int>(b.role)));
        w.field(c.binary ? c.binary->content_hash() : "");
    }
    return w.take();
}

std::vector<CandidateResult> run_sharded(SimulationPool& pool, std::span<const Candidate> candidates,
                                         Collective* collective, const std::function<void(CandidateResult&)>& on_result,
                                         const ShardedRunOptions& options) {
    if (!active_collective(collective)) return pool.run(candidates, on_result);

    const Shard shard{collective->rank(), collective->size()};
    const auto mine = take_shard(candidates, shard);
    auto results = pool.run(mine, [&](CandidateResult& r) {
        r.index = shard.global_index(r.index);
        if (on_result) on_result(r);
    });
    const auto messages = collective->gather(encode_results(results, options.send_binaries));
    if (!collective->is_root()) return {};

    std::vector<std::vector<CandidateResult>> parts;
    parts.reserve(messages.size());
    for (std::size_t rank = 0; rank < messages.size(); ++rank) {
        if (rank == shard.index) {
            parts.push_back(std::move(results)); // the root's own results need no round trip
            continue;
        }
        parts.push_back(decode_results(messages[rank], options.received_dir));
        for (std::size_t i = 0; i < parts.back().size(); ++i)
            if (parts.back()[i].index != Shard{rank, shard.count}.global_index(i))
                fail(ErrorKind::invalid_data, "rank {} sent result {} for batch position {}, expected {}", rank,
                     parts.back()[i].name, parts.back()[i].index, Shard{rank, shard.count}.global_index(i));
    }
    auto merged = merge_shards(std::move(parts), candidates.size());
    for (std::size_t i = 0; i < merged.size(); ++i)
        if (merged[i].name != candidates[i].name)
            fail(ErrorKind::invalid_data, "batch position {} came back as {}, expected {}", i, merged[i].name,
                 candidates[i].name);
    return merged;
}

std::string agree_on_plan(Collective* collective, std::string plan, std::string_view what) {
    if (!active_collective(collective)) return plan;
    std::string root_plan = plan;
    collective->broadcast(root_plan);
    if (root_plan != plan)
        fail(ErrorKind::invalid_argument,
             "rank {} was given other {} than rank 0 (every rank must run the same command with the same inputs)",
             collective->rank(), what);
    return root_plan;
}

void wait_for_root(Collective* collective) {
    if (!active_collective(collective)) return;
    std::string go = "go";
    collective->broadcast(go);
}

} // namespace simtune
