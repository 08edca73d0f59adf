// The simtune side of the tiling pass: link each candidate's object with the harness, check its
// result against a reference computed here, rank the candidates with a Tuner.
#include "tile_search.hpp"
#include "simtune/predictors/analytic_model.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>

#include <simtune/simtune.hpp>

namespace simtune_mlir {

using namespace simtune;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The one place that chooses how candidates are scored: a model file if given, else the
/// target's default model (the shipped pretrained one; only host-x86-64 has one today), else the
/// analytic cost model of the target's core, which is unvalidated where no board was measured.
TargetModel scoring_model(const Target& target, const std::string& model_file) {
    if (!model_file.empty()) return load_target_model(model_file);
    try {
        return default_model(target);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::invalid_model) throw;
    }
    return analytic_model(target);
}

/// The value of `-<name>=` among a target's GCC flags, or "".
std::string flag_value(const Target& target, std::string_view name) {
    const auto prefix = fmt::format("-{}=", name);
    for (const auto& f : target.cflags)
        if (f.starts_with(prefix)) return f.substr(prefix.size());
    return {};
}

/// LLVM code generation settings equivalent to the target's GCC flags.
LlvmTarget llvm_target_for(const Target& target) {
    LlvmTarget t;
    switch (target.isa) {
        case Isa::x86_64:
            t.triple = "x86_64-unknown-linux-gnu";
            // -march=x86-64-v2: SSE4.2 and no AVX, which Unicorn cannot run.
            t.cpu = flag_value(target, "march");
            if (t.cpu.empty()) t.cpu = "x86-64-v2";
            break;
        case Isa::aarch64:
            t.triple = "aarch64-unknown-linux-gnu";
            t.cpu = flag_value(target, "mcpu");
            if (t.cpu.empty()) t.cpu = "generic";
            break;
        case Isa::riscv64: {
            t.triple = "riscv64-unknown-linux-gnu";
            t.cpu = "generic-rv64";
            // -march=rv64gc → +m,+a,+f,+d,+c (g = imafd); the ABI must match the harness's (lp64d).
            auto march = flag_value(target, "march");
            if (march.empty()) march = "rv64gc";
            if (!march.starts_with("rv64"))
                fail(ErrorKind::invalid_argument, "target {}: cannot map -march={} to LLVM features", target.name,
                     march);
            std::string letters;
            for (char c : march.substr(4)) {
                if (c == '_') break; // multi-letter extensions follow; none are needed here
                letters += c == 'g' ? std::string("imafd") : std::string(1, c);
            }
            for (char c : letters)
                if (c != 'i' && t.features.find(fmt::format("+{}", c)) == std::string::npos)
                    t.features += fmt::format("{}+{}", t.features.empty() ? "" : ",", c);
            t.abi = flag_value(target, "mabi");
            if (t.abi.empty()) t.abi = "lp64d";
            break;
        }
    }
    return t;
}

/// The buffer as the harness fills it (buffer number `index`).
template <class T>
std::vector<T> initial_contents(const BufferSpec& spec, std::size_t index) {
    std::vector<std::byte> bytes(spec.bytes());
    initialise_buffer(spec, index, bytes);
    std::vector<T> values(spec.count);
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

/// The untiled matmul's result, computed here in the kernel's precision and k order, with each
/// element's scale |C0| + Σ|a·b| for the tolerance.
template <class T>
struct Reference {
    std::vector<T> c;
    std::vector<double> scale;
};

template <class T>
Reference<T> reference(const MatmulShape& s, std::span<const BufferSpec> buffers) {
    const auto a = initial_contents<T>(buffers[0], 0), b = initial_contents<T>(buffers[1], 1);
    Reference<T> r{initial_contents<T>(buffers[2], 2), std::vector<double>(static_cast<std::size_t>(s.m * s.n))};
    for (std::int64_t i = 0; i < s.m; ++i)
        for (std::int64_t j = 0; j < s.n; ++j) {
            T& c = r.c[static_cast<std::size_t>(i * s.n + j)];
            double scale = std::abs(static_cast<double>(c));
            for (std::int64_t k = 0; k < s.k; ++k) {
                const T p = a[static_cast<std::size_t>(i * s.k + k)] * b[static_cast<std::size_t>(k * s.n + j)];
                c = c + p;
                scale += std::abs(static_cast<double>(p));
            }
            r.scale[static_cast<std::size_t>(i * s.n + j)] = scale;
        }
    return r;
}

/// Largest |got - want| / scale over C, and where.
template <class T>
std::pair<double, std::size_t> compare(const std::vector<std::byte>& got_bytes, const Reference<T>& want) {
    std::vector<T> got(want.c.size());
    if (got_bytes.size() != got.size() * sizeof(T))
        fail(ErrorKind::invalid_output, "C came back with {} bytes, expected {}", got_bytes.size(),
             got.size() * sizeof(T));
    std::memcpy(got.data(), got_bytes.data(), got_bytes.size());
    double worst = 0;
    std::size_t where = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double diff = std::abs(static_cast<double>(got[i]) - static_cast<double>(want.c[i]));
        const double rel = std::isfinite(diff) ? diff / std::max(want.scale[i], 1e-30) : INFINITY;
        if (!(rel <= worst)) worst = rel, where = i;
    }
    return {worst, where};
}

} // namespace

struct TileSearch::Impl {
    SearchOptions options;
    Target target;
    TargetModel model;
    std::string simulator;
    LlvmTarget llvm;
    std::unique_ptr<Tuner> tuner;
};

TileSearch::TileSearch(const SearchOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->target = target_by_name(options.target);
    impl_->model = scoring_model(impl_->target, options.model_file);
    if (!options.simulator.empty()) {
        const auto given = parse_simulator_kind(options.simulator);
        if (given != impl_->model.simulator && options.model_file.empty() &&
            impl_->model.description.starts_with("builtin:"))
            impl_->model.description +=
                fmt::format(" (note: trained on {} statistics, given {} ones)", impl_->model.simulator, given);
        impl_->model.simulator = given;
    }
    impl_->simulator = std::string(to_string(impl_->model.simulator));
    impl_->llvm = llvm_target_for(impl_->target);
    if (options.confirm_top > 0 && !impl_->target.native)
        fail(ErrorKind::invalid_argument, "confirm={} needs a target that runs on this machine; {} does not",
             options.confirm_top, impl_->target.name);
    TunerOptions tuner_options;
    tuner_options.confirm_top = options.confirm_top;
    tuner_options.pool.workers = options.workers;
    impl_->tuner = std::make_unique<Tuner>(impl_->target, impl_->model, tuner_options);
}

TileSearch::~TileSearch() = default;

const LlvmTarget& TileSearch::llvm_target() const { return impl_->llvm; }
const std::string& TileSearch::target_name() const { return impl_->target.name; }
const std::string& TileSearch::simulator_name() const { return impl_->simulator; }
const std::string& TileSearch::scorer_description() const { return impl_->model.description; }

SearchResult TileSearch::rank(const MatmulShape& shape, const std::vector<CandidateObject>& candidates) {
    if (shape.m <= 0 || shape.n <= 0 || shape.k <= 0)
        fail(ErrorKind::invalid_argument, "matmul shape {}x{}x{} is not static and positive", shape.m, shape.n,
             shape.k);
    const auto type = shape.f64 ? ElemType::f64 : ElemType::f32;
    const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
    const std::vector<BufferSpec> buffers{{"A", type, u(shape.m * shape.k), BufferRole::input},
                                          {"B", type, u(shape.k * shape.n), BufferRole::input},
                                          {"C", type, u(shape.m * shape.n), BufferRole::inout}};
    const auto ref32 = shape.f64 ? Reference<float>{} : reference<float>(shape, buffers);
    const auto ref64 = shape.f64 ? reference<double>(shape, buffers) : Reference<double>{};
    // Same precision and summation order as the kernel: a correct candidate matches almost exactly
    // (a fused multiply-add, if the backend made one, changes the last bits).
    const double tolerance = shape.f64 ? 1e-12 : 1e-5;

    // Link and check the candidates on parallel workers (linking runs the target's GCC, the
    // slowest step); each worker has its own Unicorn engine.
    std::vector<CandidateOutcome> outcomes(candidates.size());
    std::vector<std::optional<KernelBinary>> binaries(candidates.size());
    std::atomic<std::size_t> next{0};
    // Runs on worker threads: every exception becomes the candidate's failure (one escaping a
    // std::jthread would std::terminate the compiler).
    const auto prepare = [&] {
        std::optional<UnicornSimulator> checker; // made by the first candidate that needs it
        for (std::size_t i; (i = next++) < candidates.size();) {
            auto& out = outcomes[i];
            out.tiles = candidates[i].tiles;
            out.lower_seconds = candidates[i].lower_seconds;
            try {
                auto start = std::chrono::steady_clock::now();
                auto binary = build_kernel_from_object(candidates[i].object, buffers, impl_->target);
                out.link_seconds = seconds_since(start);
                if (impl_->options.verify) {
                    start = std::chrono::steady_clock::now();
                    CollectorSet none;
                    if (!checker) checker.emplace();
                    const auto run = checker->run(binary, impl_->target, none);
                    out.verify_seconds = seconds_since(start);
                    const auto [error, where] =
                        shape.f64 ? compare(run.buffers.at(2), ref64) : compare(run.buffers.at(2), ref32);
                    out.max_relative_error = error;
                    if (!(error <= tolerance))
                        fail(ErrorKind::invalid_output,
                             "tiles {}: C differs from the untiled matmul at ({}, {}): relative error {:.3g}",
                             fmt::join(out.tiles, ","), where / u(shape.n), where % u(shape.n), error);
                    out.verified = true;
                }
                binaries[i] = std::move(binary);
            } catch (const Error& e) {
                out.error = e.what();
            } catch (const std::exception& e) {
                out.error = fmt::format("tiles {}: unexpected error: {}", fmt::join(out.tiles, ","), e.what());
            } catch (...) {
                out.error = fmt::format("tiles {}: unexpected non-standard exception", fmt::join(out.tiles, ","));
            }
        }
    };
    {
        const auto workers = std::min<std::size_t>(candidates.size(), impl_->tuner->workers());
        std::vector<std::jthread> threads;
        for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(prepare);
        prepare();
    }
    std::vector<Candidate> to_rank;
    std::vector<std::size_t> ranked_index; // to_rank[i] is candidates[ranked_index[i]]
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (binaries[i]) {
            to_rank.push_back(
                Candidate::from_binary(fmt::format("{}", fmt::join(outcomes[i].tiles, ",")), std::move(*binaries[i])));
            ranked_index.push_back(i);
        }

    SearchResult result;
    for (const auto& r : impl_->tuner->rank(to_rank)) {
        auto& out = outcomes[ranked_index[r.index]];
        if (r.ok()) {
            out.ok = true;
            out.predicted_seconds = r.predicted_seconds;
            if (r.measured_seconds) out.measured_seconds = *r.measured_seconds;
            out.instructions = r.stats->instructions;
            out.l1d_misses = r.stats->l1d_misses;
            out.simulate_seconds = r.simulation_seconds;
        } else {
            out.error = r.error;
        }
        result.ranked.push_back(out);
    }
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (!binaries[i]) result.ranked.push_back(outcomes[i]); // failed before ranking
    return result;
}

} // namespace simtune_mlir
