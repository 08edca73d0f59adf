// The Python module `simtune`: build, load, simulate, measure, predict and rank kernels, and fit the
// predictors on numpy arrays. Long calls release the GIL, so Python threads keep running while a
// simulation or a batch ranking works. Every simtune failure is raised as simtune.Error, whose
// `kind` attribute is a simtune.ErrorKind.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/ranges.h>
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "simtune/build.hpp"
#include "simtune/error.hpp"
#include "simtune/kernel.hpp"
#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/predictors/analytic_model.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/predict.hpp"
#include "simtune/tuning/calibration.hpp"
#include "simtune/tuning/candidate_directory.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/tuning/near_tie_gate.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/tuning/workloads.hpp"
#include "simtune/util.hpp"

namespace py = pybind11;
using namespace simtune;

namespace {

// The exception type, created once in the module and never destroyed (the interpreter owns it).
PyObject* error_type = nullptr;

py::dict stats_dict(const Stats& stats) {
    py::dict d;
    const auto names = Stats::feature_names();
    const auto values = stats.to_features();
    for (std::size_t i = 0; i < values.size(); ++i)
        d[py::str(std::string(names[i]))] = static_cast<std::uint64_t>(values[i]);
    return d;
}

Stats stats_from_dict(const py::dict& d) {
    Stats s;
    const auto names = Stats::feature_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        const py::str key(std::string(names[i]));
        if (d.contains(key)) s.counter(i) = d[key].cast<std::uint64_t>();
        // Counters appended after the first layout may be absent (dicts of older simtune versions).
        else if (i < Stats::base_feature_count) fail(ErrorKind::invalid_data, "stats dict lacks '{}'", names[i]);
    }
    return s;
}

/// A target from a name or a Target object.
Target to_target(const py::object& t) {
    if (py::isinstance<Target>(t)) return t.cast<Target>();
    return target_by_name(t.cast<std::string>());
}

/// The target for `binary`: the given one, else the built-in target of its ISA.
Target target_for(const KernelBinary& binary, const py::object& t) {
    if (t.is_none()) return target_by_name(to_string(binary.isa()));
    return to_target(t);
}

/// Buffers from "a:f32:16:in;..." or a list of BufferSpec.
std::vector<BufferSpec> to_buffers(const py::object& b) {
    if (py::isinstance<py::str>(b)) return parse_buffer_spec(b.cast<std::string>());
    return b.cast<std::vector<BufferSpec>>();
}

CollectorSelection to_collectors(const std::string& text) { return parse_collectors(text); }

/// A TargetModel from None (the target's default), "analytic" (the untrained analytic cost model),
/// a model file path, or a fitted predictor.
TargetModel to_model(const py::object& model, const Target& target, const std::string& simulator) {
    if (model.is_none()) return default_model(target);
    if (py::isinstance<py::str>(model) && model.cast<std::string>() == "analytic") return analytic_model(target);
    if (py::isinstance<RidgeRegressor>(model) || py::isinstance<GradientBoostedTrees>(model)) {
        TargetModel m;
        if (py::isinstance<RidgeRegressor>(model)) {
            auto p = std::make_shared<const RidgeRegressor>(model.cast<RidgeRegressor>());
            if (!p->fitted()) fail(ErrorKind::invalid_model, "the RidgeRegressor is not fitted");
            m.scorer = make_scorer(p);
            m.description = "RidgeRegressor";
        } else {
            auto p = std::make_shared<const GradientBoostedTrees>(model.cast<GradientBoostedTrees>());
            if (!p->fitted()) fail(ErrorKind::invalid_model, "the GradientBoostedTrees model is not fitted");
            m.scorer = make_scorer(p);
            m.description = "GradientBoostedTrees";
        }
        m.simulator = simulator.empty() ? SimulatorKind::unicorn : parse_simulator_kind(simulator);
        return m;
    }
    auto m = load_target_model(model.cast<std::filesystem::path>());
    return m;
}

/// Training data from numpy: X (rows × features), y (seconds), optional groups and names.
TrainingSet to_training_set(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                            std::optional<std::vector<std::string>> groups,
                            std::optional<std::vector<std::string>> names) {
    TrainingSet data;
    data.features = x;
    data.seconds = y;
    if (groups) data.groups = *groups;
    if (names) {
        data.feature_names = *names;
    } else {
        if (static_cast<std::size_t>(x.cols()) != Stats::feature_count)
            fail(ErrorKind::invalid_data, "X has {} columns: give feature_names, or pass the {} Stats features",
                 x.cols(), Stats::feature_count);
        for (auto n : Stats::feature_names()) data.feature_names.emplace_back(n);
    }
    return data;
}

/// predict() of a fitted model on a 2-D array (→ array) or one 1-D row (→ float).
template <class P>
py::object predict_any(const P& p, const py::array_t<double, py::array::c_style | py::array::forcecast>& x) {
    if (x.ndim() == 1) {
        std::vector<double> row(x.data(), x.data() + x.shape(0));
        return py::float_(p.predict(std::span<const double>(row)));
    }
    if (x.ndim() != 2)
        fail(ErrorKind::invalid_data, "predict expects a 1-D row or a 2-D array, got {} dimensions", x.ndim());
    Eigen::MatrixXd m(x.shape(0), x.shape(1));
    for (py::ssize_t r = 0; r < x.shape(0); ++r)
        for (py::ssize_t c = 0; c < x.shape(1); ++c) m(r, c) = *x.data(r, c);
    Eigen::VectorXd out;
    {
        py::gil_scoped_release release;
        out = p.predict(m);
    }
    return py::cast(out);
}

py::dict metrics_dict(const RankingMetrics& m) {
    py::dict d;
    d["candidates"] = m.candidates;
    d["top_k_percent"] = m.top_k_percent;
    d["regret"] = m.regret;
    d["spearman"] = m.spearman;
    d["kendall"] = m.kendall;
    d["mape"] = m.mape;
    return d;
}

} // namespace

PYBIND11_MODULE(simtune, m) {
    m.doc() = "simtune: predict how fast an ML kernel runs on a target CPU from instruction-accurate simulation";
    m.attr("__version__") = SIMTUNE_PYTHON_VERSION;

    // ---- errors ----------------------------------------------------------------------------------
    py::enum_<ErrorKind> error_kind(m, "ErrorKind", "What went wrong (simtune::ErrorKind)");
    for (const ErrorKind kind : error_kinds) error_kind.value(kind_name(kind).data(), kind);
    error_type = PyErr_NewExceptionWithDoc("simtune.Error",
                                           "A simtune failure; `kind` (a simtune.ErrorKind) says what went wrong.",
                                           PyExc_RuntimeError, nullptr);
    m.attr("Error") = py::handle(error_type);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            py::object exc = py::handle(error_type)(e.what());
            exc.attr("kind") = py::cast(e.kind());
            PyErr_SetObject(error_type, exc.ptr());
        }
    });

    // ---- targets, buffers, binaries ---------------------------------------------------------------
    py::class_<Target>(m, "Target", "A CPU simtune predicts for")
        .def_readonly("name", &Target::name)
        .def_property_readonly("isa", [](const Target& t) { return std::string(to_string(t.isa)); })
        .def_readonly("native", &Target::native)
        .def_readonly("cflags", &Target::cflags)
        .def_property_readonly("compiler", &Target::compiler)
        .def_property_readonly("caches",
                               [](const Target& t) {
                                   auto g = [](const CacheGeometry& c) {
                                       py::dict d;
                                       d["size_bytes"] = c.size_bytes;
                                       d["line_bytes"] = c.line_bytes;
                                       d["associativity"] = c.associativity;
                                       return d;
                                   };
                                   py::dict d;
                                   d["l1d"] = g(t.caches.l1d);
                                   d["l2"] = g(t.caches.l2);
                                   d["llc"] = g(t.caches.llc);
                                   return d;
                               })
        .def("__repr__", [](const Target& t) { return fmt::format("<simtune.Target {} ({})>", t.name, t.isa); });
    m.def("targets", &builtin_targets, "The built-in targets, this host first.");
    m.def("target", &target_by_name, py::arg("name"), "A built-in target by name or ISA name.");

    py::class_<BufferSpec>(m, "BufferSpec", "One pointer argument of a kernel")
        .def(py::init([](std::string name, const std::string& type, std::uint64_t count, const std::string& role) {
                 return parse_buffer_spec(fmt::format("{}:{}:{}:{}", name, type, count, role)).at(0);
             }),
             py::arg("name"), py::arg("type") = "f32", py::arg("count"), py::arg("role") = "in")
        .def_readonly("name", &BufferSpec::name)
        .def_readonly("count", &BufferSpec::count)
        .def_property_readonly("type", [](const BufferSpec& b) { return std::string(to_string(b.type)); })
        .def_property_readonly("role", [](const BufferSpec& b) { return std::string(to_string(b.role)); })
        .def_property_readonly("bytes", &BufferSpec::bytes)
        .def("__repr__", [](const BufferSpec& b) {
            return fmt::format("<simtune.BufferSpec {}>", format_buffer_spec({&b, 1}));
        });
    m.def("parse_buffer_spec", &parse_buffer_spec, py::arg("text"), "'a:f32:4096:in;...' → [BufferSpec]");
    m.def(
        "format_buffer_spec", [](const std::vector<BufferSpec>& b) { return format_buffer_spec(b); },
        py::arg("buffers"));

    py::class_<KernelBinary>(m, "KernelBinary", "A kernel binary: a static ELF executable built around one kernel")
        .def_static(
            "load",
            [](const std::filesystem::path& path, std::optional<std::string> isa) {
                std::optional<Isa> expected;
                if (isa) expected = parse_isa(*isa);
                return KernelBinary::load(std::filesystem::absolute(path), expected);
            },
            py::arg("path"), py::arg("isa") = py::none(), "Loads and validates a kernel binary (raises simtune.Error).")
        .def_property_readonly("path", &KernelBinary::path)
        .def_property_readonly("isa", [](const KernelBinary& k) { return std::string(to_string(k.isa())); })
        .def_property_readonly("buffers", &KernelBinary::buffers)
        .def_property_readonly("content_hash", &KernelBinary::content_hash)
        .def_property_readonly("size", [](const KernelBinary& k) { return k.bytes().size(); })
        .def("__repr__", [](const KernelBinary& k) {
            return fmt::format("<simtune.KernelBinary {} ({})>", k.path().string(), k.isa());
        });

    m.def(
        "build_kernel",
        [](const std::string& source, const py::object& buffers, const py::object& target,
           std::vector<std::string> flags, bool use_cache) {
            const auto specs = to_buffers(buffers);
            const auto t = to_target(target);
            BuildOptions options;
            options.flags = std::move(flags);
            options.use_cache = use_cache;
            py::gil_scoped_release release;
            return build_kernel(source, specs, t, options);
        },
        py::arg("source"), py::arg("buffers"), py::arg("target") = "host-x86-64",
        py::arg("flags") = std::vector<std::string>{}, py::arg("use_cache") = true,
        "Compiles C source defining simtune_kernel(...) for a target; buffers as 'a:f32:4096:in;...' or [BufferSpec].");

    m.def(
        "feature_names",
        [] {
            std::vector<std::string> names;
            for (auto n : Stats::feature_names()) names.emplace_back(n);
            return names;
        },
        "The Stats counters in feature-vector order (the columns predictors are trained on).");

    m.def(
        "simulate",
        [](const KernelBinary& binary, const py::object& target, const std::string& simulator,
           const std::string& collectors, std::uint64_t max_instructions, std::int64_t timeout_ms) {
            const auto t = target_for(binary, target);
            const auto selection = to_collectors(collectors);
            SimulationLimits limits;
            limits.max_instructions = max_instructions;
            limits.timeout = std::chrono::milliseconds(timeout_ms);
            SimulationResult result;
            {
                py::gil_scoped_release release;
                auto sim = simulator_factory(simulator, limits)();
                auto set = selection.make(t);
                result = sim.run(binary, t, set);
            }
            return stats_dict(result.stats);
        },
        py::arg("binary"), py::arg("target") = py::none(), py::arg("simulator") = "unicorn",
        py::arg("collectors") = "all", py::arg("max_instructions") = SimulationLimits{}.max_instructions,
        py::arg("timeout_ms") = 120'000,
        "Simulates a kernel binary and returns its Stats as a dict (feature_names() keys).");

    m.def(
        "measure",
        [](const std::vector<KernelBinary>& binaries, int passes, double ms) {
            NativeTimingOptions options;
            options.passes = passes;
            options.ms_per_measurement = ms;
            std::vector<NativeTiming> timings;
            {
                py::gil_scoped_release release;
                timings = NativeRunner(options).measure(binaries);
            }
            py::list out;
            for (const auto& t : timings) {
                py::dict d;
                d["seconds"] = t.seconds;
                d["median_seconds"] = t.median_seconds;
                d["spread"] = t.spread;
                d["pass_seconds"] = t.pass_seconds;
                out.append(d);
            }
            return out;
        },
        py::arg("binaries"), py::arg("passes") = 6, py::arg("ms") = 30.0,
        "Times binaries natively (interleaved passes, minimum over passes); a list of dicts.");

    // ---- predict ----------------------------------------------------------------------------------
    py::class_<Prediction>(m, "Prediction")
        .def_readonly("seconds", &Prediction::seconds)
        .def_property_readonly("stats", [](const Prediction& p) { return stats_dict(p.stats); })
        .def_property_readonly("simulator", [](const Prediction& p) { return std::string(to_string(p.simulator)); })
        .def_readonly("model", &Prediction::model)
        .def("__repr__",
             [](const Prediction& p) { return fmt::format("<simtune.Prediction {:.6g} s ({})>", p.seconds, p.model); });
    m.def(
        "predict",
        [](const KernelBinary& binary, const py::object& target, const py::object& model,
           const std::string& simulator) {
            const auto t = target_for(binary, target);
            const auto tm = to_model(model, t, simulator);
            py::gil_scoped_release release;
            return predict(binary, t, tm);
        },
        py::arg("binary"), py::arg("target") = py::none(), py::arg("model") = py::none(), py::arg("simulator") = "",
        "Predicted run time of one call. model: None (the target's default), \"analytic\" (the untrained\n"
        "analytic cost model, for targets without a trained model), a model file path, or a fitted\n"
        "RidgeRegressor / GradientBoostedTrees (then `simulator` says whose stats it was trained on).");

    // ---- workloads and tuning ---------------------------------------------------------------------
    py::class_<Workload>(m, "Workload")
        .def_readonly("name", &Workload::name)
        .def_readonly("dims", &Workload::dims)
        .def_property_readonly("macs", &Workload::macs)
        .def_property_readonly("buffers", &Workload::buffers)
        .def("__repr__", [](const Workload& w) { return fmt::format("<simtune.Workload {}>", w.name); });
    py::class_<Variant>(m, "Variant")
        .def_readonly("workload", &Variant::workload)
        .def_readonly("id", &Variant::id)
        .def_property_readonly("key", &Variant::key)
        .def_readonly("knobs", &Variant::knobs)
        .def_readonly("source", &Variant::source)
        .def_readonly("buffers", &Variant::buffers)
        .def_readonly("flags", &Variant::flags)
        .def("__repr__", [](const Variant& v) { return fmt::format("<simtune.Variant {}>", v.key()); });
    m.def("workloads", &builtin_workloads, "The built-in workloads.");
    // The gate as a function, for a tuner that ranks its own candidates (a TVM search's finalists,
    // say): the Tuner applies it to the candidates of one rank() call.
    m.attr("default_near_tie_window") = default_near_tie_window;
    m.def(
        "near_tie_order",
        [](const std::vector<double>& model, const std::vector<double>& estimate, double within) {
            return near_tie_order(model, estimate, within);
        },
        py::arg("model"), py::arg("estimate"), py::arg("within") = default_near_tie_window,
        "The near-tie gate's order, as indices: first the candidates whose estimate (e.g. "
        "CandidateResult.estimate_cycles) is within `within` (a fraction) of the smallest finite one, "
        "by `model` (e.g. predicted seconds; ascending, NaN last), then the others by `model`. Raises "
        "simtune.Error when the lengths differ or `within` is negative or NaN.");
    m.def(
        "enumerate_variants",
        [](const py::object& workload, std::size_t max_variants, std::uint64_t seed) {
            const auto w = py::isinstance<Workload>(workload) ? workload.cast<Workload>()
                                                              : workload_by_name(workload.cast<std::string>());
            return enumerate_variants(w, max_variants, seed);
        },
        py::arg("workload"), py::arg("max_variants") = 0, py::arg("seed") = 1,
        "Schedule variants of a workload (by name or Workload), in a fixed pseudo-random order.");

    py::class_<Candidate>(m, "Candidate", "One implementation to rank: C source or a built binary")
        .def_static(
            "from_source",
            [](std::string name, std::string source, const py::object& buffers, std::vector<std::string> flags) {
                return Candidate::from_source(std::move(name), std::move(source), to_buffers(buffers),
                                              std::move(flags));
            },
            py::arg("name"), py::arg("source"), py::arg("buffers"), py::arg("flags") = std::vector<std::string>{})
        .def_static("from_binary", &Candidate::from_binary, py::arg("name"), py::arg("binary"))
        .def_static(
            "from_variant",
            [](const Variant& v) { return Candidate::from_source(v.key(), v.source, v.buffers, v.flags); },
            py::arg("variant"))
        .def_readonly("name", &Candidate::name);

    py::class_<CandidateResult>(m, "CandidateResult")
        .def_readonly("index", &CandidateResult::index)
        .def_readonly("name", &CandidateResult::name)
        .def_property_readonly("ok", &CandidateResult::ok)
        .def_readonly("predicted_seconds", &CandidateResult::predicted_seconds)
        .def_readonly("estimate_cycles", &CandidateResult::estimate_cycles)
        .def_readonly("measured_seconds", &CandidateResult::measured_seconds)
        .def_readonly("cache_hit", &CandidateResult::cache_hit)
        .def_readonly("simulation_seconds", &CandidateResult::simulation_seconds)
        .def_readonly("binary", &CandidateResult::binary)
        .def_property_readonly("stats",
                               [](const CandidateResult& r) -> py::object {
                                   return r.stats ? py::object(stats_dict(*r.stats)) : py::none();
                               })
        .def_readonly("error_kind", &CandidateResult::error_kind)
        .def_readonly("error", &CandidateResult::error)
        .def("__repr__", [](const CandidateResult& r) {
            return r.ok() ? fmt::format("<simtune.CandidateResult {} {:.6g} s>", r.name, r.predicted_seconds)
                          : fmt::format("<simtune.CandidateResult {} failed: {}>", r.name, r.error);
        });

    py::class_<Tuner>(m, "Tuner",
                      "Ranks candidates by predicted run time (parallel build + simulate, cached by content)")
        .def(py::init([](const py::object& target, const py::object& model, const std::string& simulator,
                         std::size_t workers, std::size_t confirm_top, int passes, double ms, bool sample,
                         double near_tie_window) {
                 const auto t = to_target(target);
                 auto tm = to_model(model, t, simulator);
                 TunerOptions options;
                 options.pool.workers = workers;
                 options.sampling.enabled = sample;
                 options.confirm_top = confirm_top;
                 options.near_tie_window = near_tie_window;
                 options.native.passes = passes;
                 options.native.ms_per_measurement = ms;
                 return std::make_unique<Tuner>(t, std::move(tm), options);
             }),
             py::arg("target") = "host-x86-64", py::arg("model") = py::none(), py::arg("simulator") = "",
             py::arg("workers") = 0, py::arg("confirm_top") = 0, py::arg("passes") = 4, py::arg("ms") = 20.0,
             py::arg("sample") = false, py::arg("near_tie_window") = TunerOptions{}.near_tie_window)
        .def_property_readonly("gated", &Tuner::gated,
                               "whether rank() applies the near-tie gate (a window > 0 and a model that reads "
                               "MCA's cycles)")
        .def(
            "rank",
            [](Tuner& tuner, const std::vector<Candidate>& candidates, const py::object& on_result,
               bool allow_all_failed) {
                // The callback runs on worker threads: it takes the GIL, and an exception it raises
                // must not unwind through the pool, so the first is kept and re-raised after rank().
                std::function<void(const CandidateResult&)> callback;
                std::exception_ptr raised;
                if (!on_result.is_none())
                    callback = [&on_result, &raised](const CandidateResult& r) {
                        py::gil_scoped_acquire acquire;
                        try {
                            on_result(r);
                        } catch (...) {
                            if (!raised) raised = std::current_exception();
                        }
                    };
                std::vector<CandidateResult> ranked;
                {
                    py::gil_scoped_release release;
                    ranked = tuner.rank(candidates, callback);
                }
                if (raised) std::rethrow_exception(raised);
                if (!allow_all_failed) require_a_ranked_candidate(ranked);
                return ranked;
            },
            py::arg("candidates"), py::arg("on_result") = py::none(), py::arg("allow_all_failed") = false,
            "Successful results by predicted time (confirmed top by measured time), then the failures. Raises "
            "simtune.Error naming the first failure if no candidate succeeded (each failure still reaches "
            "on_result), unless allow_all_failed=True, which returns the failed results instead.")
        .def(
            "rank_calibrated",
            [](Tuner& tuner, const std::vector<Candidate>& candidates, std::size_t calibrate, std::uint64_t seed,
               std::optional<std::map<std::string, double>> times, std::optional<std::filesystem::path> times_csv,
               std::string command, int passes, double ms, std::string workload) {
                CalibrationOptions options;
                options.count = calibrate;
                options.seed = seed;
                if (times && times_csv) fail(ErrorKind::invalid_argument, "give either times or times_csv, not both");
                py::gil_scoped_release release;
                auto ranked = tuner.rank(candidates);
                require_a_ranked_candidate(ranked);
                CalibrationMeasure measure;
                if (times_csv) {
                    measure = measure_from_times(import_times_csv(*times_csv), times_csv->string(), workload);
                } else if (times) {
                    measure = measure_from_times(std::move(*times), "the times given", workload);
                } else {
                    if (!tuner.target().native && command.empty() && calibrate > 0)
                        fail(ErrorKind::invalid_argument,
                             "{} cannot be timed on this machine: time these candidates on it and pass times= or "
                             "times_csv=, or give command=: {}",
                             tuner.target().name, fmt::join(calibration_picks(ranked, options), ", "));
                    NativeTimingOptions native;
                    native.passes = passes;
                    native.ms_per_measurement = ms;
                    native.command_template = std::move(command);
                    measure = measure_natively(std::move(native));
                }
                return calibrate_ranking(std::move(ranked), options, measure);
            },
            py::arg("candidates"), py::arg("calibrate"), py::arg("seed") = 1, py::arg("times") = py::none(),
            py::arg("times_csv") = py::none(), py::arg("command") = "", py::arg("passes") = 4, py::arg("ms") = 20.0,
            py::arg("workload") = "",
            "Ranks the candidates, measures `calibrate` informative ones (natively, through `command` on a board, or "
            "looked up in `times` / `times_csv` by name or 'workload/name'), calibrates the model on them and re-ranks "
            "the rest: a CalibratedRanking.")
        .def("cancel", &Tuner::cancel)
        .def_property_readonly("workers", &Tuner::workers)
        .def_property_readonly("cache_size", [](Tuner& t) { return t.cache().size(); })
        .def_property_readonly("cache_hits", [](Tuner& t) { return t.cache().hits(); });

    py::class_<CalibrationAgreement>(m, "CalibrationAgreement",
                                     "How well the model and its calibration agree with the measured candidates")
        .def_readonly("measured", &CalibrationAgreement::measured)
        .def_readonly("spearman_model", &CalibrationAgreement::spearman_model)
        .def_readonly("spearman_loo", &CalibrationAgreement::spearman_loo)
        .def_readonly("penalty", &CalibrationAgreement::penalty);
    py::class_<CalibratedRanking>(m, "CalibratedRanking", "A ranking after few-shot calibration")
        .def_readonly("ranking", &CalibratedRanking::ranking)
        .def_readonly("calibrated_seconds", &CalibratedRanking::calibrated_seconds)
        .def_readonly("picks", &CalibratedRanking::picks)
        .def_readonly("agreement", &CalibratedRanking::agreement);

    py::class_<CandidateDirectory>(m, "CandidateDirectory",
                                   "A directory of C sources of one kernel, or of kernel binaries")
        .def_readonly("name", &CandidateDirectory::name)
        .def_readonly("candidates", &CandidateDirectory::candidates)
        .def_readonly("from_sources", &CandidateDirectory::from_sources)
        .def_readonly("buffers", &CandidateDirectory::buffers);
    m.def(
        "load_candidate_directory",
        [](const std::filesystem::path& dir, const py::object& buffers, std::vector<std::string> flags) {
            CandidateDirectoryOptions options;
            if (!buffers.is_none()) options.buffers = to_buffers(buffers);
            options.flags = std::move(flags);
            return load_candidate_directory(dir, options);
        },
        py::arg("dir"), py::arg("buffers") = py::none(), py::arg("flags") = std::vector<std::string>{},
        "One candidate per file of `dir` (C sources, buffers from `buffers` or dir/buffers.spec, or kernel "
        "binaries), named by the file's stem.");
    m.def(
        "build_dataset",
        [](const py::object& candidates, const std::filesystem::path& csv, const py::object& target,
           std::string workload, std::vector<std::string> simulators, const std::string& collectors, int passes,
           double ms, std::optional<std::filesystem::path> times_csv, std::size_t workers) {
            std::vector<Candidate> list;
            if (py::isinstance<py::str>(candidates) ||
                py::isinstance(candidates, py::module_::import("pathlib").attr("Path"))) {
                auto dir = load_candidate_directory(candidates.cast<std::filesystem::path>());
                if (workload.empty()) workload = dir.name;
                list = std::move(dir.candidates);
            } else {
                list = candidates.cast<std::vector<Candidate>>();
            }
            if (workload.empty())
                fail(ErrorKind::invalid_argument, "build_dataset: name the candidates' workload (workload=)");
            DatasetOptions options;
            options.simulators = std::move(simulators);
            options.collectors = to_collectors(collectors);
            options.native.passes = passes;
            options.native.ms_per_measurement = ms;
            options.times_csv = std::move(times_csv);
            options.workers = workers;
            const auto t = to_target(target);
            py::gil_scoped_release release;
            const auto dataset = build_dataset(workload, list, t, options, csv);
            return dataset.rows.size();
        },
        py::arg("candidates"), py::arg("csv"), py::arg("target") = "host-x86-64", py::arg("workload") = "",
        py::arg("simulators") = std::vector<std::string>{"unicorn"}, py::arg("collectors") = "all",
        py::arg("passes") = 6, py::arg("ms") = 30.0, py::arg("times_csv") = py::none(), py::arg("workers") = 0,
        "Builds (or completes) the dataset CSV of a directory (path) or a list of Candidates (with workload=): one row "
        "per candidate, its statistics and its measured time (natively, or from times_csv for a board). Returns the "
        "number of rows; the file trains like any other ('simtune train').");

    // ---- predictors -------------------------------------------------------------------------------
    py::class_<RidgeRegressor>(m, "RidgeRegressor",
                               "Ridge regression on log(run time), penalty by grouped cross-validation")
        .def(py::init(
                 [](std::optional<std::vector<double>> penalties, int folds, std::uint64_t seed, std::string target) {
                     RidgeOptions o;
                     if (penalties) o.penalties = *penalties;
                     o.folds = folds;
                     o.seed = seed;
                     o.target = std::move(target);
                     return RidgeRegressor(o);
                 }),
             py::arg("penalties") = py::none(), py::arg("folds") = 5, py::arg("seed") = 42, py::arg("target") = "")
        .def(
            "fit",
            [](RidgeRegressor& r, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
               std::optional<std::vector<std::string>> groups,
               std::optional<std::vector<std::string>> names) -> RidgeRegressor& {
                const auto data = to_training_set(x, y, std::move(groups), std::move(names));
                py::gil_scoped_release release;
                r.fit(data);
                return r;
            },
            py::arg("X"), py::arg("y"), py::arg("groups") = py::none(), py::arg("feature_names") = py::none(),
            py::return_value_policy::reference_internal, "Fits on X (rows × features) and y (seconds); returns self.")
        .def("predict", &predict_any<RidgeRegressor>, py::arg("X"), "Seconds for a 2-D array, or a float for one row.")
        .def("save", &RidgeRegressor::save, py::arg("path"))
        .def_static("load", py::overload_cast<const std::filesystem::path&>(&RidgeRegressor::load), py::arg("path"))
        .def_property_readonly("fitted", &RidgeRegressor::fitted)
        .def_property_readonly("penalty", &RidgeRegressor::penalty)
        .def_property_readonly("coefficients", &RidgeRegressor::coefficients)
        .def_property_readonly("intercept", &RidgeRegressor::intercept)
        .def_property_readonly("feature_names", [](const RidgeRegressor& r) { return r.features().raw_names(); })
        .def_property_readonly("kind", [](const RidgeRegressor&) { return std::string(RidgeRegressor::kind); });

    py::class_<GradientBoostedTrees>(m, "GradientBoostedTrees",
                                     "Histogram gradient-boosted trees on log(run time) or pairwise order")
        .def(py::init([](int rounds, int max_depth, double learning_rate, const std::string& objective,
                         double row_subsample, double col_subsample, int early_stopping_rounds, unsigned threads,
                         std::uint64_t seed, std::string target) {
                 GbtOptions o;
                 o.rounds = rounds;
                 o.max_depth = max_depth;
                 o.learning_rate = learning_rate;
                 if (objective == "squared") o.objective = GbtObjective::squared;
                 else if (objective == "pairwise") o.objective = GbtObjective::pairwise;
                 else fail(ErrorKind::invalid_argument, "unknown objective '{}' (known: squared, pairwise)", objective);
                 o.row_subsample = row_subsample;
                 o.col_subsample = col_subsample;
                 o.early_stopping_rounds = early_stopping_rounds;
                 o.threads = threads;
                 o.seed = seed;
                 o.target = std::move(target);
                 return GradientBoostedTrees(o);
             }),
             py::arg("rounds") = 200, py::arg("max_depth") = 6, py::arg("learning_rate") = 0.1,
             py::arg("objective") = "squared", py::arg("row_subsample") = 1.0, py::arg("col_subsample") = 1.0,
             py::arg("early_stopping_rounds") = 0, py::arg("threads") = 0, py::arg("seed") = 42, py::arg("target") = "")
        .def(
            "fit",
            [](GradientBoostedTrees& g, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
               std::optional<std::vector<std::string>> groups,
               std::optional<std::vector<std::string>> names) -> GradientBoostedTrees& {
                const auto data = to_training_set(x, y, std::move(groups), std::move(names));
                py::gil_scoped_release release;
                g.fit(data);
                return g;
            },
            py::arg("X"), py::arg("y"), py::arg("groups") = py::none(), py::arg("feature_names") = py::none(),
            py::return_value_policy::reference_internal, "Fits on X (rows × features) and y (seconds); returns self.")
        .def("predict", &predict_any<GradientBoostedTrees>, py::arg("X"),
             "Seconds for a 2-D array, or a float for one row.")
        .def("save", &GradientBoostedTrees::save, py::arg("path"))
        .def_static("load", py::overload_cast<const std::filesystem::path&>(&GradientBoostedTrees::load),
                    py::arg("path"))
        .def_property_readonly("fitted", &GradientBoostedTrees::fitted)
        .def_property_readonly("trees", &GradientBoostedTrees::trees)
        .def_property_readonly("feature_importance", &GradientBoostedTrees::feature_importance)
        .def_property_readonly("feature_names", [](const GradientBoostedTrees& g) { return g.features().raw_names(); })
        .def_property_readonly("kind",
                               [](const GradientBoostedTrees&) { return std::string(GradientBoostedTrees::kind); });

    py::class_<Ensemble>(m, "Ensemble",
                         "Several models of one training set; predicts the geometric mean of their times")
        .def(py::init([](const py::list& members, std::vector<double> weights) {
                 std::vector<Ensemble::Member> ms;
                 for (const auto& item : members) {
                     if (py::isinstance<RidgeRegressor>(item)) ms.emplace_back(item.cast<RidgeRegressor>());
                     else if (py::isinstance<GradientBoostedTrees>(item))
                         ms.emplace_back(item.cast<GradientBoostedTrees>());
                     else
                         fail(ErrorKind::invalid_argument,
                              "Ensemble members are RidgeRegressor or GradientBoostedTrees models");
                 }
                 return Ensemble(std::move(ms), std::move(weights));
             }),
             py::arg("members"), py::arg("weights") = std::vector<double>{},
             "members: fitted or unfitted models; weights: one per member (default: equal)")
        .def("predict", &predict_any<Ensemble>, py::arg("X"), "Seconds for a 2-D array, or a float for one row.")
        .def("save", &Ensemble::save, py::arg("path"))
        .def_static(
            "load", [](const std::filesystem::path& path) { return Ensemble::load(path); }, py::arg("path"))
        .def_property_readonly("fitted", &Ensemble::fitted)
        .def_property_readonly("size", [](const Ensemble& e) { return e.members().size(); })
        .def_property_readonly("weights", &Ensemble::weights)
        .def_property_readonly("feature_names", [](const Ensemble& e) { return e.features().raw_names(); })
        .def_property_readonly("kind", [](const Ensemble&) { return std::string(Ensemble::kind); });

    m.def(
        "load_model",
        [](const std::filesystem::path& path) -> py::object {
            auto model = load_model(path);
            return std::visit([](auto&& p) { return py::cast(std::move(p)); }, AnyPredictor::Model(model.model()));
        },
        py::arg("path"), "Loads a model file of any kind (RidgeRegressor, GradientBoostedTrees or Ensemble).");

    m.def(
        "ranking_metrics",
        [](const std::vector<double>& predicted, const std::vector<double>& actual) {
            return metrics_dict(ranking_metrics(predicted, actual));
        },
        py::arg("predicted"), py::arg("actual"),
        "top_k_percent, regret, spearman, kendall, mape of one workload's candidates.");
    m.def(
        "metrics_by_group",
        [](const std::vector<double>& predicted, const std::vector<double>& actual,
           const std::vector<std::string>& groups) {
            const auto table = metrics_by_group(predicted, actual, groups);
            py::dict out, per_group;
            for (const auto& g : table.groups) per_group[py::str(g.group)] = metrics_dict(g.metrics);
            out["groups"] = per_group;
            out["mean"] = metrics_dict(table.mean);
            out["worst"] = metrics_dict(table.worst);
            return out;
        },
        py::arg("predicted"), py::arg("actual"), py::arg("groups"), "Metrics per workload, with their mean and worst.");
    m.def(
        "stats_to_features",
        [](const py::dict& d) {
            const auto f = stats_from_dict(d).to_features();
            return std::vector<double>(f.begin(), f.end());
        },
        py::arg("stats"), "A simulate() dict → the feature row predictors take (feature_names() order).");
}
