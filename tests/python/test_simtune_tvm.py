"""simtune_tvm called the way TVM's MetaSchedule and AutoTVM call a runner (TVM itself is not installed)."""
import collections
import os
import tempfile
import time
import unittest

import simtune
import simtune_tvm
from simtune_test_model import WORKLOAD, fitted_ridge


class TensorInfo:
    """Shaped like tvm.meta_schedule.arg_info.TensorInfo."""

    def __init__(self, dtype, shape):
        self.dtype, self.shape = dtype, shape

    def as_json(self):
        return ["TENSOR", self.dtype, list(self.shape)]


class RunnerInput:
    """Shaped like tvm.meta_schedule.runner.RunnerInput."""

    def __init__(self, artifact_path, device_type, args_info):
        self.artifact_path, self.device_type, self.args_info = artifact_path, device_type, args_info


BuildResult = collections.namedtuple("BuildResult", ["filename", "arg_info", "error", "time_cost"])  # AutoTVM's
MeasureInput = collections.namedtuple("MeasureInput", ["target", "task", "config"])


def gemm_args():
    return [TensorInfo("float32", [128, 128]), TensorInfo("float32", [128, 128]), TensorInfo("float32", [128, 128])]


class MetaScheduleShape(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = fitted_ridge()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.variants = simtune.enumerate_variants(WORKLOAD, 4, seed=3)
        cls.sources = []
        for i, v in enumerate(cls.variants):
            path = os.path.join(cls.tmp.name, f"cand{i}.c")
            with open(path, "w") as f:
                f.write(v.source)
            cls.sources.append(path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_buffers_from_args(self):
        self.assertEqual(simtune_tvm.buffers_from_args(gemm_args()), "a0:f32:16384:in;a1:f32:16384:in;a2:f32:16384:out")
        self.assertEqual(simtune_tvm.buffers_from_args([((4, 2), "int8"), ((3,), "float64")], output_args=(0,)),
                         "a0:i8:8:out;a1:f64:3:in")
        with self.assertRaises(ValueError):
            simtune_tvm.buffers_from_args([TensorInfo("float16", [4])])

    def test_run_returns_futures_with_run_secs(self):
        runner = simtune_tvm.SimtuneRunner(model=self.model, simulator="unicorn", workers=2)
        inputs = [RunnerInput(p, "cpu", gemm_args()) for p in self.sources]
        inputs.append(RunnerInput(os.path.join(self.tmp.name, "missing.c"), "cpu", gemm_args()))
        inputs.append(RunnerInput(self.sources[0], "cpu", [TensorInfo("float16", [4])]))
        futures = runner.run(inputs)
        self.assertEqual(len(futures), len(inputs))
        deadline = time.time() + 300
        while not all(f.done() for f in futures):  # MetaSchedule polls done() before result()
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        results = [f.result() for f in futures]
        for r in results[:4]:
            self.assertIsNone(r.error_msg)
            self.assertEqual(len(r.run_secs), 1)
            self.assertGreater(r.run_secs[0], 0)
        self.assertIsNone(results[4].run_secs)
        self.assertIn("missing.c", results[4].error_msg)
        self.assertIn("float16", results[5].error_msg)

        # The same scores as simtune's own Tuner on the same candidates.
        tuner = simtune.Tuner(model=self.model, simulator="unicorn")
        buffers = simtune_tvm.buffers_from_args(gemm_args())
        ranked = tuner.rank([simtune.Candidate.from_source(f"c{i}", v.source, buffers) for i, v in enumerate(self.variants)])
        expected = {r.index: r.predicted_seconds for r in ranked}
        for i in range(4):
            self.assertAlmostEqual(results[i].run_secs[0], expected[i], delta=1e-12)

    def test_binary_artifacts(self):
        binary = simtune.build_kernel(self.variants[0].source, simtune_tvm.buffers_from_args(gemm_args()))
        runner = simtune_tvm.SimtuneRunner(model=self.model, simulator="unicorn")
        from_binary, from_source = [f.result() for f in runner.run([RunnerInput(str(binary.path), "cpu", gemm_args()),
                                                                     RunnerInput(self.sources[0], "cpu", gemm_args())])]
        self.assertIsNone(from_binary.error_msg)
        self.assertEqual(from_binary.run_secs, from_source.run_secs)
        with tempfile.NamedTemporaryFile(suffix=".so") as junk:
            junk.write(b"not an elf")
            junk.flush()
            [bad] = runner.run([RunnerInput(junk.name, "cpu", gemm_args())])
            self.assertIn("invalid binary", bad.result().error_msg)


class AutoTVMShape(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = fitted_ridge()

    def test_run_measure_results(self):
        runner = simtune_tvm.SimtuneAutoTVMRunner(model=self.model, simulator="unicorn")
        self.assertEqual(runner.set_task(object()), {})
        self.assertEqual(runner.get_build_kwargs(), {})
        with tempfile.TemporaryDirectory() as tmp:
            variants = simtune.enumerate_variants(WORKLOAD, 2, seed=5)
            builds = []
            for i, v in enumerate(variants):
                path = os.path.join(tmp, f"v{i}.c")
                with open(path, "w") as f:
                    f.write(v.source)
                builds.append(BuildResult(path, (((128, 128), "float32"),) * 3, None, 0.1))
            builds.append(BuildResult(None, (), RuntimeError("nvcc exploded"), 0.1))
            inputs = [MeasureInput("llvm", None, None)] * len(builds)
            results = runner.run(inputs, builds)
        self.assertEqual(len(results), 3)
        for r in results[:2]:
            self.assertEqual(r.error_no, simtune_tvm.MeasureErrorNo.NO_ERROR)
            self.assertGreater(r.costs[0], 0)
        self.assertEqual(results[2].error_no, simtune_tvm.MeasureErrorNo.COMPILE_HOST)
        self.assertIsInstance(results[2].costs[0], Exception)


if __name__ == "__main__":
    unittest.main()
