"""The Python binding on real kernels, simulators and predictors (run with /usr/bin/python3 -m unittest)."""
import math
import os
import subprocess
import tempfile
import unittest

import numpy as np

import simtune
from simtune_test_model import WORKLOAD, fitted_ridge

ADD = "void simtune_kernel(const float* a, const float* b, float* c) { for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i]; }"
ADD_BUFFERS = "a:f32:4096:in;b:f32:4096:in;c:f32:4096:out"


class Basics(unittest.TestCase):
    def test_targets(self):
        names = [t.name for t in simtune.targets()]
        self.assertEqual(names[0], "host-x86-64")
        self.assertEqual(simtune.target("aarch64").name, "cortex-a72")
        self.assertEqual(simtune.target("riscv64").isa, "riscv64")
        with self.assertRaises(simtune.Error) as caught:
            simtune.target("pentium")
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.invalid_argument)
        self.assertIn("pentium", str(caught.exception))

    def test_buffer_spec(self):
        buffers = simtune.parse_buffer_spec(ADD_BUFFERS)
        self.assertEqual([b.name for b in buffers], ["a", "b", "c"])
        self.assertEqual(buffers[2].role, "out")
        self.assertEqual(buffers[0].bytes, 4096 * 4)
        self.assertEqual(simtune.format_buffer_spec(buffers), ADD_BUFFERS)
        self.assertEqual(simtune.BufferSpec("x", "f64", 8, "inout").bytes, 64)
        with self.assertRaises(simtune.Error):
            simtune.parse_buffer_spec("a:f99:1:in")

    def test_build_load_and_errors(self):
        binary = simtune.build_kernel(ADD, ADD_BUFFERS)
        self.assertEqual(binary.isa, "x86-64")
        self.assertEqual(len(binary.content_hash), 32)
        again = simtune.KernelBinary.load(binary.path)
        self.assertEqual(again.content_hash, binary.content_hash)
        self.assertEqual([b.count for b in again.buffers], [4096] * 3)
        with self.assertRaises(simtune.Error) as caught:
            simtune.KernelBinary.load(binary.path, isa="aarch64")
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.wrong_isa)
        with tempfile.NamedTemporaryFile(suffix=".elf") as junk:
            junk.write(b"\x7fELF" + b"\0" * 40)
            junk.flush()
            with self.assertRaises(simtune.Error) as caught:
                simtune.KernelBinary.load(junk.name)
            self.assertEqual(caught.exception.kind, simtune.ErrorKind.invalid_binary)
        with self.assertRaises(simtune.Error) as caught:
            simtune.build_kernel("void simtune_kernel(float* a) { a[0] = nope; }", "a:f32:4:inout")
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.build_failed)
        self.assertIn("nope", str(caught.exception))

    def test_simulate(self):
        binary = simtune.build_kernel(ADD, ADD_BUFFERS)
        stats = simtune.simulate(binary)
        self.assertEqual(list(stats), simtune.feature_names())
        self.assertGreaterEqual(stats["mem_reads"], 8192)
        self.assertGreaterEqual(stats["mem_writes"], 4096)
        self.assertEqual(sum(stats[c] for c in ["int_alu", "mul_div", "fp_scalar", "simd", "load", "store", "branch"]),
                         stats["instructions"])
        mix_only = simtune.simulate(binary, collectors="mix")
        self.assertEqual(mix_only["instructions"], stats["instructions"])
        self.assertEqual(mix_only["l1d_accesses"], 0)
        # Warm caches: the three 16 KiB buffers fit in L2, so nothing misses it (a stack line aside);
        # cold, every one of their 768 lines does.
        warm = simtune.simulate(binary, collectors="memory,warm-caches")
        cold = simtune.simulate(binary, collectors="memory,caches")
        self.assertLessEqual(warm["l2_misses"], 2)
        self.assertGreaterEqual(cold["l2_misses"], 768)
        self.assertEqual(warm["l1d_accesses"], cold["l1d_accesses"])
        a72 = simtune.build_kernel(ADD, ADD_BUFFERS, target="cortex-a72")
        self.assertGreater(simtune.simulate(a72)["instructions"], 0)
        with self.assertRaises(simtune.Error) as caught:
            simtune.simulate(binary, max_instructions=1000)
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.instruction_limit)

    def test_near_tie_order_as_a_function(self):
        # Estimates 100, 103, 110, NaN: the first two are within 4 % of the cheapest and come first,
        # by the model (1 before 0); then the rest by the model, the NaN estimate outside the window.
        self.assertEqual(simtune.default_near_tie_window, 0.04)
        model = [2.0, 1.0, 0.5, 0.1]
        self.assertEqual(simtune.near_tie_order(model, [100.0, 103.0, 110.0, float("nan")]), [1, 0, 3, 2])
        # A window of 0 keeps only the cheapest first; an infinite one orders by the model alone.
        self.assertEqual(simtune.near_tie_order(model, [100.0, 103.0, 110.0, 1.0], within=0), [3, 2, 1, 0])
        self.assertEqual(simtune.near_tie_order(model[:3], [100.0, 103.0, 110.0], within=float("inf")), [2, 1, 0])
        with self.assertRaisesRegex(simtune.Error, "2 model predictions but 3 estimates"):
            simtune.near_tie_order([1.0, 2.0], [1.0, 2.0, 3.0])
        with self.assertRaisesRegex(simtune.Error, "window -0.1"):
            simtune.near_tie_order([1.0], [1.0], within=-0.1)


class Predictors(unittest.TestCase):
    def data(self):
        rng = np.random.default_rng(3)
        X = rng.uniform(1, 1e6, size=(60, len(simtune.feature_names())))
        y = 1e-9 * X[:, 0] * (1 + 0.01 * rng.standard_normal(60))
        groups = ["a"] * 30 + ["b"] * 30
        return X, y, groups

    def test_fit_predict_save_load(self):
        X, y, groups = self.data()
        for model in (simtune.RidgeRegressor(), simtune.GradientBoostedTrees(rounds=40, max_depth=3)):
            self.assertIs(model.fit(X, y, groups), model)
            predicted = model.predict(X)
            self.assertEqual(predicted.shape, (60,))
            self.assertAlmostEqual(model.predict(X[5]), predicted[5], places=12)
            metrics = simtune.ranking_metrics(list(predicted[:30]), list(y[:30]))
            self.assertGreater(metrics["spearman"], 0.8, model.kind)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "m.model")
                model.save(path)
                loaded = simtune.load_model(path)
                self.assertEqual(type(loaded), type(model))
                np.testing.assert_array_equal(loaded.predict(X), predicted)
        self.assertGreater(len(simtune.GradientBoostedTrees(rounds=5).fit(X, y, groups).feature_importance), 0)

    def test_weighted_ensemble(self):
        X, y, groups = self.data()
        ridge = simtune.RidgeRegressor().fit(X, y, groups)
        trees = simtune.GradientBoostedTrees(rounds=20, max_depth=3).fit(X, y, groups)
        ensemble = simtune.Ensemble([ridge, trees], weights=[2.0, 1.0])
        self.assertEqual(ensemble.weights, [2.0, 1.0])
        np.testing.assert_allclose(ensemble.predict(X), np.cbrt(ridge.predict(X) ** 2 * trees.predict(X)), rtol=1e-12)
        self.assertEqual(simtune.Ensemble([ridge, trees]).weights, [1.0, 1.0])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "e.model")
            ensemble.save(path)
            np.testing.assert_array_equal(simtune.load_model(path).predict(X), ensemble.predict(X))
        with self.assertRaises(simtune.Error):
            simtune.Ensemble([ridge, trees], weights=[1.0, 0.0])

    def test_bad_data_and_models(self):
        X, y, groups = self.data()
        X[3, 2] = np.nan
        with self.assertRaises(simtune.Error) as caught:
            simtune.RidgeRegressor().fit(X, y, groups)
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.invalid_data)
        with self.assertRaises(simtune.Error):
            simtune.RidgeRegressor().fit(X[:, :5], y, groups)  # 5 columns need feature_names
        with tempfile.NamedTemporaryFile("w", suffix=".model") as junk:
            junk.write("simtune-model 1 ridge\ntruncated\n")
            junk.flush()
            with self.assertRaises(simtune.Error) as caught:
                simtune.load_model(junk.name)
            self.assertEqual(caught.exception.kind, simtune.ErrorKind.invalid_model)

    def test_metrics_by_group(self):
        table = simtune.metrics_by_group([1.0, 2.0, 3.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 1.0, 2.0, 3.0], ["a"] * 3 + ["b"] * 3)
        self.assertEqual(table["groups"]["a"]["top_k_percent"], 100 / 3)
        self.assertAlmostEqual(table["groups"]["b"]["spearman"], -1.0)


class PredictAndTune(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = fitted_ridge()

    def test_predict(self):
        binary = simtune.build_kernel(ADD, ADD_BUFFERS)
        prediction = simtune.predict(binary, model=self.model, simulator="unicorn")
        self.assertGreater(prediction.seconds, 0)
        self.assertEqual(prediction.simulator, "unicorn")
        self.assertEqual(prediction.stats, simtune.simulate(binary))
        row = simtune.stats_to_features(prediction.stats)
        self.assertAlmostEqual(self.model.predict(np.array(row)), prediction.seconds, delta=1e-12 * prediction.seconds + 1e-18)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "ridge.model")
            self.model.save(path)
            from_file = simtune.predict(binary, model=path)
            self.assertAlmostEqual(from_file.seconds, prediction.seconds, delta=1e-9 * prediction.seconds)

    def test_analytic_model_for_a_board(self):
        # A board has no trained model; "analytic" ranks with the untrained cost model instead.
        arm = simtune.target("cortex-a72")
        binary = simtune.build_kernel(ADD, ADD_BUFFERS, target=arm)
        with self.assertRaisesRegex(simtune.Error, "analytic"):
            simtune.predict(binary, target=arm)
        prediction = simtune.predict(binary, target=arm, model="analytic")
        self.assertEqual(prediction.model, "analytic:cortex-a72")
        self.assertGreater(prediction.seconds, 0)

    def test_tuner_ranks_and_caches(self):
        variants = simtune.enumerate_variants(WORKLOAD, 6, seed=11)
        candidates = [simtune.Candidate.from_variant(v) for v in variants]
        candidates.append(simtune.Candidate.from_source("broken", "void simtune_kernel(float* a) { nope; }", "a:f32:4:inout"))
        # Without the near-tie gate (on by default: test_near_tie_gate_…), by predicted time alone.
        tuner = simtune.Tuner(model=self.model, simulator="unicorn", workers=2, near_tie_window=0)
        seen = []
        ranked = tuner.rank(candidates, on_result=lambda r: seen.append(r.name))
        self.assertEqual(sorted(seen), sorted(c.name for c in candidates))
        good = [r for r in ranked if r.ok]
        self.assertEqual(len(good), 6)
        times = [r.predicted_seconds for r in good]
        self.assertEqual(times, sorted(times))
        self.assertTrue(all(math.isfinite(t) and t > 0 for t in times))
        self.assertFalse(ranked[-1].ok)
        self.assertEqual(ranked[-1].name, "broken")
        self.assertEqual(ranked[-1].error_kind, simtune.ErrorKind.build_failed)
        again = tuner.rank(candidates[:6])
        self.assertTrue(all(r.cache_hit for r in again))
        self.assertEqual([r.predicted_seconds for r in again], times)
        with self.assertRaises(ZeroDivisionError):  # a failing callback surfaces after the batch
            tuner.rank(candidates[:2], on_result=lambda r: 1 / 0)
        # the same prediction as predict() on the ranked binary
        best = good[0]
        self.assertAlmostEqual(simtune.predict(best.binary, model=self.model, simulator="unicorn").seconds,
                               best.predicted_seconds, delta=1e-12)

    def test_near_tie_gate_orders_the_estimates_near_ties_first(self):
        candidates = [simtune.Candidate.from_variant(v) for v in simtune.enumerate_variants(WORKLOAD, 6, seed=11)]
        tuner = simtune.Tuner(workers=2)  # on by default (4 %); the built-in model reads MCA's cycles
        self.assertTrue(tuner.gated)
        ranked = tuner.rank(candidates)
        cheapest = min(r.estimate_cycles for r in ranked)
        inside = [r.estimate_cycles <= 1.04 * cheapest for r in ranked]
        n = sum(inside)
        self.assertGreaterEqual(n, 1)
        self.assertEqual(inside, [True] * n + [False] * (len(ranked) - n))
        self.assertEqual([r.predicted_seconds for r in ranked[:n]], sorted(r.predicted_seconds for r in ranked[:n]))
        self.assertFalse(simtune.Tuner(workers=2, near_tie_window=0).gated)

    def test_sampled_tuner_counts_short_kernels_exactly(self):
        # sample=True: SamplingOptions' defaults, whose 2 M-instruction exact prefix covers these
        # kernels, so the sampled statistics are the exact ones and so are the predictions.
        candidates = [simtune.Candidate.from_variant(v) for v in simtune.enumerate_variants("gemv-t-512x512", 3, seed=5)]
        exact = simtune.Tuner(model=self.model, simulator="unicorn", workers=2).rank(candidates)
        sampled = simtune.Tuner(model=self.model, simulator="unicorn", workers=2, sample=True).rank(candidates)
        self.assertEqual([(r.name, r.predicted_seconds) for r in sampled], [(r.name, r.predicted_seconds) for r in exact])
        self.assertTrue(all(r.stats["instructions"] < 2_000_000 for r in exact))
        # Longer kernels (gemm 128^3, 2-10 M instructions) are sampled past the prefix: the mix
        # stays exact, the windowed counters are estimates.
        longer = [simtune.Candidate.from_variant(v) for v in simtune.enumerate_variants(WORKLOAD, 2, seed=5)]
        exact = simtune.Tuner(model=self.model, simulator="unicorn", workers=2).rank(longer)
        sampled = simtune.Tuner(model=self.model, simulator="unicorn", workers=2, sample=True).rank(longer)
        for e, s in zip(sorted(exact, key=lambda r: r.name), sorted(sampled, key=lambda r: r.name)):
            self.assertGreater(e.stats["instructions"], 2_000_000)
            self.assertEqual(s.stats["instructions"], e.stats["instructions"])
            self.assertNotEqual([s.stats[k] for k in ("l1d_misses", "dataflow_cycles")],
                                [e.stats[k] for k in ("l1d_misses", "dataflow_cycles")])

    def test_every_candidate_failing_raises_with_the_cause(self):
        # Kernels that do not compile: each failure reaches on_result, then rank() raises naming the first.
        broken = [simtune.Candidate.from_source(f"broken-{i}", f"void simtune_kernel(float* a) {{ nope_{i}; }}", "a:f32:4:inout")
                  for i in range(2)]
        tuner = simtune.Tuner(model=self.model, simulator="unicorn", workers=2)
        seen = []
        with self.assertRaisesRegex(simtune.Error, r"(?s)every one of the 2 candidates failed \(2 build failed\); "
                                                   r"the first, 'broken-0': .*nope_0") as caught:
            tuner.rank(broken, on_result=lambda r: seen.append(r.name))
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.build_failed)
        self.assertEqual(sorted(seen), ["broken-0", "broken-1"])
        ranked = tuner.rank(broken, allow_all_failed=True)  # or the failed results, for a caller that wants them
        self.assertEqual([(r.name, r.ok) for r in ranked], [("broken-0", False), ("broken-1", False)])

        # A cross compiler that is missing: PATH without it (an empty folder).
        candidates = [simtune.Candidate.from_variant(v) for v in simtune.enumerate_variants(WORKLOAD, 3, seed=11)]
        arm = simtune.Tuner(target="cortex-a72", model="analytic", workers=2)
        path = os.environ["PATH"]
        with tempfile.TemporaryDirectory() as empty:
            os.environ["PATH"] = empty
            try:
                with self.assertRaisesRegex(simtune.Error, r"every one of the 3 candidates failed \(3 tool missing\); the "
                                            r"first, .*compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found") as caught:
                    arm.rank(candidates)
            finally:
                os.environ["PATH"] = path
        self.assertEqual(caught.exception.kind, simtune.ErrorKind.tool_missing)

    def test_own_directory_dataset_and_calibrated_ranking(self):
        # A user's own kernel as a directory of C sources (tests/cli/stencil, not a built-in workload).
        here = os.path.dirname(os.path.abspath(__file__))
        with tempfile.TemporaryDirectory() as work:
            stencil = os.path.join(work, "stencil")
            subprocess.run([os.path.join(here, "..", "cli", "stencil", "generate.sh"), stencil], check=True)
            for name in os.listdir(stencil):  # 10 of the 20 variants keep the test short
                if name.endswith(".c") and not name.startswith(("rc-u1", "rc-u4", "cr-u1", "cr-u4")):
                    os.remove(os.path.join(stencil, name))
            directory = simtune.load_candidate_directory(stencil)
            self.assertTrue(directory.from_sources)
            self.assertEqual(directory.name, "stencil")
            self.assertEqual(len(directory.candidates), 10)
            self.assertIn("rc-u1-v0", [c.name for c in directory.candidates])

            csv = os.path.join(work, "stencil.csv")
            self.assertEqual(simtune.build_dataset(stencil, csv, passes=2, ms=2.0), 10)
            with open(csv) as f:
                self.assertTrue(any(line.startswith("stencil,rc-u1-v0,") for line in f))

            tuner = simtune.Tuner(model=self.model, simulator="unicorn", workers=2)
            result = tuner.rank_calibrated(directory.candidates, calibrate=4, passes=2, ms=2.0)
            self.assertEqual(len(result.ranking), 10)
            self.assertEqual(len(set(result.picks)), 4)
            self.assertEqual(result.agreement.measured, 4)
            self.assertTrue(math.isfinite(result.agreement.spearman_loo))
            self.assertEqual(result.calibrated_seconds, sorted(result.calibrated_seconds))
            measured = {r.name: r.measured_seconds for r in result.ranking if r.measured_seconds is not None}
            self.assertEqual(set(measured), set(result.picks))

            # A board's times by name; one missing is named.
            times = {c.name: 1e-5 * (i + 1) for i, c in enumerate(directory.candidates)}
            arm = simtune.Tuner(target="cortex-a72", model="analytic", workers=2)
            board = arm.rank_calibrated(directory.candidates, calibrate=4, times=times)
            self.assertEqual(len(board.picks), 4)
            del times[board.picks[1]]
            with self.assertRaisesRegex(simtune.Error, "has no time for 1 of the 4 candidates to calibrate on: " + board.picks[1]):
                arm.rank_calibrated(directory.candidates, calibrate=4, times=times)
            empty = os.path.join(work, "empty")
            os.mkdir(empty)
            with self.assertRaisesRegex(simtune.Error, "no candidates in"):
                simtune.load_candidate_directory(empty)


if __name__ == "__main__":
    unittest.main()
